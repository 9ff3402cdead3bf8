/** Helpers shared by the benchmarks: child servers, percentiles, console charts. */
import { type ChildProcess, fork, spawn } from 'node:child_process';
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

/** Starts `tasklane serve` on a fresh data dir with the given settings. */
export async function startTasklane(
  env: Record<string, string> = {},
): Promise<Child & { dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-bench-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['src/cli.ts', 'serve'], {
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

export async function startHello(): Promise<Child> {
  const port = await freePort();
  const child = fork(new URL('./fixtures/hello.ts', import.meta.url), [String(port)], {
    stdio: 'inherit',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url);
  return { process: child, url, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess, dir?: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
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
