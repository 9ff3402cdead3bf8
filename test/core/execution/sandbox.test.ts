/**
 * The bubblewrap sandbox holds: no network, no view of the host's secrets, the data dir
 * or other workspaces, and fork bombs, memory bombs, disk fills, runaway children and
 * floods of output are all contained.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { runCode } from '../../../src/core/execution/code-runner.ts';
import { probeBwrap } from '../../../src/core/execution/sandbox/bwrap.ts';
import { selectSandbox } from '../../../src/core/execution/sandbox/select.ts';
import type { Sandbox } from '../../../src/core/execution/sandbox.types.ts';
import { prepareWorkspaceRoot, Workspace } from '../../../src/core/execution/workspace.ts';
import { createLogger } from '../../../src/http/logger.ts';
import { makeTempDir } from '../../helpers/db.ts';

const probe = probeBwrap();
const root = makeTempDir('tasklane-sbx-');
let workspaces: string;
let sandbox: Sandbox;
let server: net.Server;
let port: number;
let n = 0;

before(async () => {
  const config = loadConfig({ TASKLANE_DATA_DIR: root, TASKLANE_SANDBOX_TIMEOUT_MS: '5000' });
  const provider = selectSandbox(config.sandbox, createLogger('silent'));
  assert.ok(provider.available, 'bubblewrap must work here (.ci/run installs it)');
  sandbox = provider.sandbox;
  workspaces = prepareWorkspaceRoot(root, process.getuid?.() === 0, () => {});
  server = net.createServer((socket) => socket.end('hello from the host\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  fs.writeFileSync(path.join(root, 'secret.txt'), 'data-dir-secret');
});
after(() => {
  server.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function fresh(): Workspace {
  n += 1;
  return Workspace.create(workspaces, `ws${n}`);
}

const run = (
  language: 'python' | 'node' | 'bash',
  source: string,
  extra: Parameters<typeof runCode>[2] extends infer T ? Partial<T> : never = {},
) => runCode(sandbox, fresh(), { language, source, ...extra }, { memoryMb: 256 });

describe('bubblewrap sandbox', {
  skip: probe.ok ? false : `bubblewrap unavailable: ${(probe as { reason: string }).reason}`,
}, () => {
  test('runs python, node and bash, reporting exit code, output and resource use', async () => {
    const py = await run('python', 'import sys\nprint("py", 6*7)\nsys.exit(3)');
    assert.equal(py.run.exitCode, 3);
    assert.equal(py.run.stdout, 'py 42\n');
    assert.ok(py.run.cpuMs !== null && py.run.cpuMs >= 0);
    assert.ok(py.run.maxRssKb !== null && py.run.maxRssKb > 1000);
    const js = await run('node', 'console.log("node", process.version.startsWith("v"))');
    assert.equal(js.run.exitCode, 0, js.run.stderr);
    assert.equal(js.run.stdout, 'node true\n');
    const sh = await run('bash', 'echo "$((2+3))" >&2; exit 0');
    assert.equal(sh.run.stderr, '5\n');
  });

  test('files written to out/ are reported as outputs', async () => {
    const result = await run(
      'python',
      'import os\nos.makedirs("out/sub", exist_ok=True)\nopen("out/a.txt","w").write("A")\nopen("out/sub/b.json","w").write("{}")',
    );
    assert.deepEqual(result.outputs.map((o) => o.name).sort(), ['a.txt', 'sub/b.json']);
  });

  test('no network: connecting to 127.0.0.1 fails', async () => {
    const result = await run(
      'python',
      `import socket\ns=socket.socket()\ntry:\n  s.connect(("127.0.0.1", ${port})); print("CONNECTED")\nexcept OSError as e: print("refused", e.errno)`,
    );
    assert.match(result.run.stdout, /^refused/);
    const ifaces = await run('bash', 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "');
    assert.equal(ifaces.run.stdout.trim(), 'lo', 'only a loopback of its own');
  });

  test('/etc/shadow, the data dir and other workspaces cannot be read', async () => {
    const other = fresh();
    other.write('private.txt', 'other-task-secret');
    const result = await run(
      'bash',
      [
        'cat /etc/shadow 2>&1 || echo "no shadow"',
        `cat ${root}/secret.txt 2>&1 || echo "no data dir"`,
        `cat ${other.dir}/private.txt 2>&1 || echo "no other workspace"`,
        'ls /root 2>&1 || echo "no root"',
        'touch /usr/evil 2>&1 || echo "usr read-only"',
      ].join('\n'),
    );
    assert.ok(!result.run.stdout.includes('other-task-secret'));
    assert.ok(!result.run.stdout.includes('data-dir-secret'));
    for (const marker of [
      'no shadow',
      'no data dir',
      'no other workspace',
      'no root',
      'usr read-only',
    ]) {
      assert.ok(result.run.stdout.includes(marker), `${marker}: ${result.run.stdout}`);
    }
    assert.ok(!fs.existsSync('/usr/evil'));
  });

  test('a fork bomb is contained and the machine keeps working', async () => {
    const started = Date.now();
    const result = await run('bash', ':(){ :|:& };:\nsleep 2\necho "bomb done"', {
      limits: { timeoutMs: 4000, processes: 32 },
    });
    // The process limit makes forks fail instead of taking the machine down…
    assert.match(result.run.stderr, /Resource temporarily unavailable|fork/);
    // …and the run ends on time, taking every process of the bomb with it.
    assert.ok(Date.now() - started < 10_000);
    const after = await run('bash', 'echo alive');
    assert.equal(after.run.stdout, 'alive\n');
  });

  test('a memory bomb is killed', async () => {
    const py = await run('python', 'x = []\nwhile True:\n  x.append(bytearray(50*1024*1024))', {
      limits: { memoryMb: 128 },
    });
    assert.notEqual(py.run.exitCode, 0);
    assert.match(py.run.stderr, /MemoryError/);
    const js = await run('node', 'const a=[]; while(true) a.push(new Array(1e6).fill(1.5));', {
      limits: { memoryMb: 128 },
    });
    assert.notEqual(js.run.exitCode, 0);
    assert.ok(js.run.maxRssKb === null || js.run.maxRssKb < 600 * 1024, `rss ${js.run.maxRssKb}`);
  });

  test('a disk fill is capped, per file and per workspace', async () => {
    const big = await run('bash', 'head -c 200M /dev/zero > big.bin; echo "exit $?"', {
      limits: { fileSizeMb: 16 },
    });
    assert.ok(fs.statSync(path.join(workspaces, `ws${n}`, 'big.bin')).size <= 16 * 1024 * 1024);
    const many = await run(
      'bash',
      'for i in $(seq 1 100); do head -c 4M /dev/zero > f$i.bin || break; done; echo done',
      {
        limits: { workspaceMb: 32, timeoutMs: 20_000 },
      },
    );
    assert.equal(many.run.workspaceExceeded, true);
    const tmp = await run(
      'bash',
      'head -c 100M /dev/zero > /tmp/fill 2>/dev/null; ls -l /tmp/fill | cut -d" " -f5',
      { limits: { tmpMb: 8 } },
    );
    assert.ok(Number(tmp.run.stdout.trim()) <= 8 * 1024 * 1024, tmp.run.stdout);
    assert.ok(big.run.exitCode !== null);
  });

  test('the wall-clock limit kills children too', async () => {
    const marker = `/tmp/tasklane-orphan-${process.pid}-${Date.now()}`;
    const started = Date.now();
    const result = await run('bash', `(sleep 3; echo x > ${marker}) & sleep 30`, {
      limits: { timeoutMs: 500 },
    });
    assert.equal(result.run.timedOut, true);
    assert.equal(result.run.exitCode, null);
    assert.ok(Date.now() - started < 5000);
    await new Promise((r) => setTimeout(r, 3500));
    assert.ok(!fs.existsSync(marker), 'the background child must be dead');
  });

  test('output is capped and flagged', async () => {
    const result = await run(
      'python',
      'import sys\nsys.stdout.write("x" * 5_000_000)\nsys.stderr.write("e" * 10)',
      { limits: { outputBytes: 4096 } },
    );
    assert.equal(result.run.stdout.length, 4096);
    assert.equal(result.run.stdoutTruncated, true);
    assert.equal(result.run.stderr, 'eeeeeeeeee');
    assert.equal(result.run.stderrTruncated, false);
    assert.equal(result.run.exitCode, 0);
  });

  test('aborting the signal kills the run (cancellation)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runCode(
      sandbox,
      fresh(),
      { language: 'bash', source: 'sleep 30' },
      { memoryMb: 64, signal: controller.signal },
    );
    assert.equal(result.run.cancelled, true);
    assert.ok(result.run.durationMs < 3000);
  });

  test('a path outside the workspace is refused', async () => {
    await assert.rejects(
      runCode(
        sandbox,
        fresh(),
        { language: 'bash', source: 'true', files: { '../escape.txt': 'x' } },
        { memoryMb: 64 },
      ),
      /outside the workspace/,
    );
  });
});

test('without bwrap and without the opt-in, there is no sandbox and the reason is given', () => {
  const config = loadConfig({ TASKLANE_SANDBOX_DRIVER: 'process' });
  const provider = selectSandbox(config.sandbox, createLogger('silent'));
  assert.equal(provider.available, false);
  assert.match((provider as { reason: string }).reason, /TASKLANE_SANDBOX_ALLOW_PROCESS/);
});

test('the process driver runs only when allowed, and still applies limits', async () => {
  const config = loadConfig({
    TASKLANE_SANDBOX_DRIVER: 'process',
    TASKLANE_SANDBOX_ALLOW_PROCESS: 'true',
  });
  const provider = selectSandbox(config.sandbox, createLogger('silent'));
  assert.ok(provider.available);
  assert.equal(provider.sandbox.isolated, false);
  const result = await runCode(
    provider.sandbox,
    fresh(),
    { language: 'bash', source: 'echo ok; sleep 10', limits: { timeoutMs: 300 } },
    { memoryMb: 64 },
  );
  assert.equal(result.run.stdout, 'ok\n');
  assert.equal(result.run.timedOut, true);
});

test('a sandbox dies with the process that started it (kill -9 of the server leaves no orphan)', {
  skip: !probe.ok && 'needs bubblewrap',
}, async () => {
  const { spawn, execFileSync } = await import('node:child_process');
  const marker = `${31 + (process.pid % 50)}.${Date.now() % 1000}`;
  const script = `
    import { selectSandbox } from './src/core/execution/sandbox/select.ts';
    import { runCode } from './src/core/execution/code-runner.ts';
    import { prepareWorkspaceRoot, Workspace } from './src/core/execution/workspace.ts';
    import { loadConfig } from './src/config.ts';
    import { createLogger } from './src/http/logger.ts';
    const config = loadConfig({ TASKLANE_DATA_DIR: ${JSON.stringify(root)} });
    const provider = selectSandbox(config.sandbox, createLogger('silent'));
    const dir = prepareWorkspaceRoot(${JSON.stringify(root)}, process.getuid() === 0, () => {});
    console.log('ready');
    await runCode(provider.sandbox, Workspace.create(dir, 'orphan'), { language: 'bash', source: 'sleep ${marker}' }, { memoryMb: 64 });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout!.on('data', () => resolve()));
  const running = () => {
    try {
      return (
        execFileSync('pgrep', ['-f', `sleep ${marker}`], { encoding: 'utf8' }).trim().length > 0
      );
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && !running(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(running(), 'the sandboxed sleep started');
  child.kill('SIGKILL');
  for (let i = 0; i < 100 && running(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(running(), false, 'the sandbox must not outlive its parent');
});
