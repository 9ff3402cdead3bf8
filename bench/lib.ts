/** Helpers shared by the benchmarks: child servers, percentiles, console charts. */
import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

export interface Child {
  process: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts `tasklane serve` on a fresh data dir with the given settings (`nodeArgs`: a
 * measuring preload such as fixtures/count-pg-statements.ts, never a product setting).
 */
export async function startTasklane(
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Child & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, 'src/cli.ts', 'serve'], {
    env: {
      ...process.env,
      TASKLANE_DATA_DIR: dataDir,
      TASKLANE_PORT: String(port),
      // The product's defaults (log level info, rate limits on), with limits scaled so
      // far up that they are counted on every request but never reached.
      TASKLANE_RATE_LIMIT_SCALE: '1000000',
      ...env,
    },
    // Logs are written (to /dev/null), as a server writes them to a pipe or a file.
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`);
  return { process: child, url, dataDir, stop: () => stopChild(child, dataDir) };
}

export async function startHello(fixture = 'hello.ts'): Promise<Child> {
  const port = await freePort();
  const child = fork(new URL(`./fixtures/${fixture}`, import.meta.url), [String(port)], {
    stdio: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url);
  return { process: child, url, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess, dir?: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    // A graceful stop waits for running tasks (an agent task retrying a model that does
    // not answer takes a while).
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
  if (!dir) return;
  // A killed server leaves its task workspaces (tmpfs) mounted under its data dir.
  const mounts = fs
    .readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((at) => at.startsWith(`${dir}/`));
  for (const at of mounts.reverse()) spawnSync('umount', ['-l', at]);
  fs.rmSync(dir, { recursive: true, force: true });
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** A horizontal bar chart for the terminal. */
export function barChart(title: string, rows: [string, number][], unit: string): string {
  const max = Math.max(...rows.map(([, v]) => v), 1);
  const labelWidth = Math.max(...rows.map(([l]) => l.length));
  const lines = rows.map(([label, value]) => {
    const bar = '█'.repeat(Math.max(1, Math.round((value / max) * 40)));
    return `  ${label.padEnd(labelWidth)} ${bar} ${round(value)} ${unit}`;
  });
  return `${title}\n${lines.join('\n')}`;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A process's resident set (VmRSS) in MB, as the kernel counts it. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return round(kb / 1024, 1);
}

/** Registers and logs in a user on Task Assistant's API; returns its bearer token. */
export async function signIn(url: string, name = 'bench'): Promise<string> {
  const user = { username: name, email: `${name}@example.com`, password: 'bench-password-1' };
  await fetch(`${url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  const login = await fetch(`${url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  const { access_token } = (await login.json()) as { access_token: string };
  const check = await fetch(`${url}/v1/auth/me`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  if (check.status !== 200)
    throw new Error(`GET /v1/auth/me answered ${check.status}: ${await check.text()}`);
  return access_token;
}
