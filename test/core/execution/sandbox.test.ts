/**
 * The bubblewrap sandbox holds: no network, no view of the host's secrets, the data dir
 * or other workspaces, and fork bombs, memory bombs (in every language), disk and inode
 * fills, runaway children and floods of output are all contained. Workspaces are
 * reached by the server without following what a program planted in them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { type CodeInput, runCode } from '../../../src/core/execution/code-runner.ts';
import { probeBwrap } from '../../../src/core/execution/sandbox/bwrap.ts';
import { selectSandbox } from '../../../src/core/execution/sandbox/select.ts';
import type { Sandbox } from '../../../src/core/execution/sandbox.types.ts';
import type { Workspace } from '../../../src/core/execution/workspace.ts';
import { Workspaces } from '../../../src/core/execution/workspaces.ts';
import { createLogger } from '../../../src/http/logger.ts';
import { makeTempDir } from '../../helpers/db.ts';
import { readWorkspaceFile } from '../../helpers/sandbox.ts';

const probe = probeBwrap();
const root = makeTempDir('tasklane-sbx-');
const log = createLogger('silent');
const config = loadConfig({
  TASKLANE_DATA_DIR: root,
  TASKLANE_SANDBOX_TIMEOUT_MS: '5000',
  TASKLANE_SANDBOX_WORKSPACE_MB: '32',
  TASKLANE_SANDBOX_WORKSPACE_INODES: '2000',
  // The warm runs below: the default sizes, and the memory tests' smaller ones.
  TASKLANE_SANDBOX_WARM_POOL: 'bash:1,python:1,node:1,python@128:1,node@256:1',
});
/** Every test of the attack suite runs twice: sandboxes started cold, and from the warm pool. */
let mode: 'cold' | 'warm' = 'cold';
let workspaces: Workspaces;
let sandbox: Sandbox;
let server: net.Server;
let port: number;
let n = 0;
const secret = path.join(root, 'secret.txt');

before(async () => {
  const provider = await selectSandbox(config.sandbox, log);
  assert.ok(provider.available, 'bubblewrap must work here (.ci/run installs it)');
  sandbox = provider.sandbox;
  workspaces = await Workspaces.open(config, provider, log);
  server = net.createServer((socket) => socket.end('hello from the host\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  fs.writeFileSync(secret, 'data-dir-secret', { mode: 0o600 });
});
after(async () => {
  server.close();
  await workspaces?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

type Language = 'python' | 'node' | 'bash';

/** A new workspace; in warm mode one from the pool, with a sandbox for `language` started in it. */
async function fresh(language: Language = 'bash', memoryMb?: number): Promise<Workspace> {
  n += 1;
  if (mode === 'cold') return workspaces.create(`ws${n}`);
  const profile = { language, network: false, memoryMb: memoryMb ?? config.sandbox.memoryMb };
  for (let attempt = 0; attempt < 3; attempt++) {
    const workspace = await workspaces.create(`ws${n}`, profile);
    if (workspace.warm) return workspace;
    await workspace.remove();
    await workspaces.warmPool?.settled(); // the first ask starts the profile filling
  }
  assert.fail(`the warm pool had no ${language}@${profile.memoryMb} sandbox`);
}

/** Limits a warm sandbox is started with are the pool's; only these may differ per run. */
const PER_RUN_LIMITS = new Set(['timeoutMs', 'outputBytes', 'memoryMb']);

type Extra = Partial<CodeInput> & { workspace?: Workspace };
const run = async (language: Language, source: string, { workspace, ...extra }: Extra = {}) => {
  const target = workspace ?? (await fresh(language, extra.limits?.memoryMb));
  const fits =
    target.warm && Object.keys(extra.limits ?? {}).every((name) => PER_RUN_LIMITS.has(name));
  const result = await runCode(
    sandbox,
    target,
    { language, source, ...extra },
    { memoryMb: extra.limits?.memoryMb ?? 256 },
  );
  assert.equal(result.warmStart, mode === 'warm' && fits, 'warm start as expected');
  return result;
};

async function outputsOf(workspace: Workspace): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  await workspace.collectOutputs({ maxFiles: 100, maxFileBytes: 1024 * 1024 }, async (file) => {
    const chunks: Buffer[] = [];
    for await (const chunk of file.stream) chunks.push(chunk as Buffer);
    files[file.name] = Buffer.concat(chunks).toString('utf8');
  });
  return files;
}

for (const startMode of ['cold', 'warm'] as const)
  describe(`bubblewrap sandbox (${startMode} starts)`, {
    skip: probe.ok ? false : `bubblewrap unavailable: ${(probe as { reason: string }).reason}`,
  }, () => {
    before(() => {
      mode = startMode;
    });

    test('runs python, node and bash, reporting exit code, output and resource use', async () => {
      const py = await run('python', 'import sys\nprint("py", 6*7)\nsys.exit(3)');
      assert.equal(py.exitCode, 3);
      assert.equal(py.stdout, 'py 42\n');
      if (sandbox.memoryControl !== 'rlimit') {
        assert.ok(py.cpuMs !== null && py.cpuMs >= 0);
        assert.ok(py.maxRssKb !== null && py.maxRssKb > 1000);
      }
      const js = await run('node', 'console.log("node", process.version.startsWith("v"))');
      assert.equal(js.exitCode, 0, js.stderr);
      assert.equal(js.stdout, 'node true\n');
      const sh = await run('bash', 'echo "$((2+3))" >&2; exit 0');
      assert.equal(sh.stderr, '5\n');
    });

    test('files written to out/ are collected; links, pipes and the like are not', async () => {
      const workspace = await fresh('python');
      await run(
        'python',
        [
          'import os',
          'os.makedirs("out/sub", exist_ok=True)',
          'open("out/a.txt","w").write("A")',
          'open("out/sub/b.json","w").write("{}")',
          `os.symlink(${JSON.stringify(secret)}, "out/link.txt")`,
          'os.mkfifo("out/pipe")',
          'os.link("out/a.txt", "out/hard.txt")',
        ].join('\n'),
        { workspace },
      );
      const files = await outputsOf(workspace);
      assert.equal(files['a.txt'], 'A');
      assert.equal(files['sub/b.json'], '{}');
      assert.equal(files['link.txt'], undefined);
      assert.equal(files.pipe, undefined);
      assert.ok(!Object.values(files).includes('data-dir-secret'));
    });

    test('out/ replaced by a link to a host folder yields nothing of the host (finding 1)', async () => {
      const workspace = await fresh();
      const result = await run(
        'bash',
        `rm -rf out && ln -s ${JSON.stringify(root)} out && ls -la out/ 2>&1; echo done`,
        { workspace },
      );
      assert.match(result.stdout, /done/);
      const files = await outputsOf(workspace);
      assert.deepEqual(files, {}, 'a link is not a folder to walk');
    });

    test('the server never writes through a link a program planted (finding 2)', async () => {
      const workspace = await fresh();
      const target = path.join(root, 'host-target.txt');
      fs.writeFileSync(target, 'untouched');
      await run('bash', `ln -s ${target} planted.txt; ln -s ${root} dirlink`, { workspace });
      await assert.rejects(workspace.write('planted.txt', 'evil'), /symbolic link/);
      await workspace.write('dirlink/evil.txt', 'evil').catch(() => {});
      assert.equal(fs.readFileSync(target, 'utf8'), 'untouched');
      assert.ok(!fs.existsSync(path.join(root, 'evil.txt')));
      // A program handed in after a run comes by pipe, so a planted name cannot redirect it.
      const after = await runCode(
        sandbox,
        workspace,
        { language: 'python', source: 'print("second step")', entrypoint: 'planted.txt' },
        { memoryMb: 64, programByPipe: true },
      );
      assert.equal(fs.readFileSync(target, 'utf8'), 'untouched');
      assert.notEqual(after.exitCode, null);
    });

    test('reading a FIFO or a link never blocks the server or leaves the sandbox (finding 4)', async () => {
      const workspace = await fresh('python');
      await run(
        'python',
        `import os\nos.mkfifo("pipe")\nos.symlink(${JSON.stringify(secret)}, "link")\nopen("ok.txt","w").write("fine")`,
        { workspace },
      );
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      try {
        assert.equal((await workspace.read('pipe', 1024)).kind, 'other');
        assert.equal(
          (await workspace.read('link', 1024)).kind,
          'missing',
          'the host path is not there',
        );
        assert.equal((await readWorkspaceFile(workspace, 'ok.txt')).toString(), 'fine');
      } finally {
        clearInterval(timer);
      }
      assert.ok(ticks > 0, 'the event loop kept running');
    });

    test('no network: connecting to 127.0.0.1 fails', async () => {
      const result = await run(
        'python',
        `import socket\ns=socket.socket()\ntry:\n  s.connect(("127.0.0.1", ${port})); print("CONNECTED")\nexcept OSError as e: print("refused", e.errno)`,
      );
      assert.match(result.stdout, /^refused/);
      const ifaces = await run('bash', 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "');
      assert.equal(ifaces.stdout.trim(), 'lo', 'only a loopback of its own');
    });

    test('/etc/shadow, the data dir and other workspaces cannot be read', async () => {
      const other = await fresh();
      await other.write('private.txt', 'other-task-secret');
      const result = await run(
        'bash',
        [
          'cat /etc/shadow 2>&1 || echo "no shadow"',
          `cat ${secret} 2>&1 || echo "no data dir"`,
          `cat ${other.dir}/private.txt 2>&1 || echo "no other workspace"`,
          'ls /root 2>&1 || echo "no root"',
          'touch /usr/evil 2>&1 || echo "usr read-only"',
        ].join('\n'),
      );
      assert.ok(!result.stdout.includes('other-task-secret'));
      assert.ok(!result.stdout.includes('data-dir-secret'));
      for (const marker of [
        'no shadow',
        'no data dir',
        'no other workspace',
        'no root',
        'usr read-only',
      ])
        assert.ok(result.stdout.includes(marker), `${marker}: ${result.stdout}`);
      assert.ok(!fs.existsSync('/usr/evil'));
    });

    test('a fork bomb is contained and the machine keeps working', async () => {
      const result = await run('bash', ':(){ :|:& };:\nsleep 2\necho "bomb done"', {
        limits: { timeoutMs: 4000, processes: 32 },
      });
      // The process limit makes forks fail instead of taking the machine down…
      assert.match(result.stderr, /Resource temporarily unavailable|fork/);
      const after = await run('bash', 'echo alive');
      assert.equal(after.stdout, 'alive\n');
    });

    test('memory is capped for every language, touched memory included (finding 6)', async () => {
      const py = await run('python', 'x = []\nwhile True:\n  x.append(bytearray(50*1024*1024))', {
        limits: { memoryMb: 128 },
      });
      assert.notEqual(py.exitCode, 0);
      // Three gigabytes of touched Buffers: node's heap flag does not cover them, the cgroup does.
      const js = await run(
        'node',
        'const a=[]; for (let i=0;i<3;i++){ a.push(Buffer.alloc(1<<30).fill(7)); console.log("got", i) }',
        { limits: { memoryMb: 256 } },
      );
      assert.notEqual(js.exitCode, 0);
      assert.ok(!js.stdout.includes('got 2'), js.stdout);
      if (sandbox.memoryControl !== 'rlimit') {
        assert.equal(js.memoryExceeded, true);
        assert.ok(
          js.maxRssKb !== null && js.maxRssKb <= 256 * 1024 + 1024,
          `peak ${js.maxRssKb} KB`,
        );
      }
    });

    test('every writable place is capped: file size, workspace bytes and files, /tmp, /dev/shm (findings 7, 8)', async () => {
      const big = await run('bash', 'head -c 200M /dev/zero > big.bin; stat -c %s big.bin', {
        limits: { fileSizeMb: 16 },
      });
      assert.ok(Number(big.stdout.trim()) <= 16 * 1024 * 1024, big.stdout);
      const many = await run(
        'bash',
        'for i in $(seq 1 100); do head -c 4M /dev/zero > f$i.bin || break; done; du -sb . | cut -f1',
        { limits: { timeoutMs: 20_000 } },
      );
      assert.ok(Number(many.stdout.trim().split('\n').pop()) <= 32 * 1024 * 1024, many.stdout);
      const files = await run(
        'python',
        'import os\nn=0\ntry:\n  while n < 200000:\n    open(f"e{n}", "w").close(); n += 1\nexcept OSError as e: print("stopped", n, e.errno)',
        { limits: { timeoutMs: 20_000 } },
      );
      assert.match(files.stdout, /^stopped \d+ 28/, 'the inode limit stops it (ENOSPC)');
      assert.ok(Number(files.stdout.split(' ')[1]) <= 2000);
      const places = await run(
        'bash',
        [
          'head -c 100M /dev/zero > /tmp/fill 2>/dev/null; stat -c %s /tmp/fill',
          'head -c 100M /dev/zero > /dev/shm/fill 2>/dev/null; stat -c %s /dev/shm/fill',
          'touch /rootfile 2>/dev/null || echo "root read-only"',
          'touch /dev/devfile 2>/dev/null || echo "dev read-only"',
          'ls /run/tasklane 2>/dev/null || echo "no usage bind"',
        ].join('\n'),
        { limits: { tmpMb: 8 } },
      );
      const [tmp, shm, ...rest] = places.stdout.trim().split('\n');
      assert.ok(Number(tmp) <= 8 * 1024 * 1024, places.stdout);
      assert.ok(Number(shm) <= 8 * 1024 * 1024, places.stdout);
      assert.deepEqual(rest, ['root read-only', 'dev read-only', 'no usage bind']);
    });

    test('the wall-clock limit kills children too', async () => {
      const workspace = await fresh();
      const result = await run('bash', '(sleep 2; echo x > late.txt) & sleep 30', {
        limits: { timeoutMs: 500 },
        workspace,
      });
      assert.equal(result.timedOut, true);
      assert.equal(result.exitCode, null);
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal((await workspace.read('late.txt', 10)).kind, 'missing', 'the child is dead');
    });

    test('output is capped and flagged', async () => {
      const result = await run(
        'python',
        'import sys\nsys.stdout.write("x" * 5_000_000)\nsys.stderr.write("e" * 10)',
        { limits: { outputBytes: 4096 } },
      );
      assert.equal(result.stdout.length, 4096);
      assert.equal(result.stdoutTruncated, true);
      assert.equal(result.stderr, 'eeeeeeeeee');
      assert.equal(result.stderrTruncated, false);
      assert.equal(result.exitCode, 0);
    });

    test('aborting the signal kills the run (cancellation)', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      const result = await runCode(
        sandbox,
        await fresh(),
        { language: 'bash', source: 'sleep 30' },
        { memoryMb: 64, signal: controller.signal },
      );
      assert.equal(result.cancelled, true);
    });

    test('a path outside the workspace is refused', async () => {
      await assert.rejects(
        runCode(
          sandbox,
          await fresh(),
          { language: 'bash', source: 'true', files: { '../escape.txt': 'x' } },
          { memoryMb: 64 },
        ),
        /outside the workspace/,
      );
    });

    test('removing a workspace full of files is immediate and leaves nothing mounted', async () => {
      const workspace = await fresh();
      await run('bash', 'mkdir -p a/b/c && for i in $(seq 1 500); do : > a/b/c/f$i; done', {
        workspace,
      });
      await workspace.remove();
      assert.ok(!fs.existsSync(workspace.dir));
      assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(workspace.dir));
    });
  });

test('without bwrap and without the opt-in, there is no sandbox and the reason is given', async () => {
  const config = loadConfig({ TASKLANE_SANDBOX_DRIVER: 'process' });
  const provider = await selectSandbox(config.sandbox, log);
  assert.equal(provider.available, false);
  assert.match((provider as { reason: string }).reason, /TASKLANE_SANDBOX_ALLOW_PROCESS/);
});

test('the process driver runs only when allowed, and still applies limits', async () => {
  const processConfig = loadConfig({
    TASKLANE_DATA_DIR: root,
    TASKLANE_SANDBOX_DRIVER: 'process',
    TASKLANE_SANDBOX_ALLOW_PROCESS: 'true',
  });
  const provider = await selectSandbox(processConfig.sandbox, log);
  assert.ok(provider.available);
  assert.equal(provider.sandbox.isolated, false);
  const result = await runCode(
    provider.sandbox,
    await fresh(),
    { language: 'bash', source: 'echo ok; sleep 10', limits: { timeoutMs: 300 } },
    { memoryMb: 64 },
  );
  assert.equal(result.stdout, 'ok\n');
  assert.equal(result.timedOut, true);
});

test('a sandbox dies with the process that started it (kill -9 of the server leaves no orphan)', {
  skip: !probe.ok && 'needs bubblewrap',
}, async () => {
  const { spawn, execFileSync } = await import('node:child_process');
  const marker = `${31 + (process.pid % 50)}.${Date.now() % 1000}`;
  const dataDir = makeTempDir('tasklane-orphan-');
  const script = `
    import { selectSandbox } from './src/core/execution/sandbox/select.ts';
    import { runCode } from './src/core/execution/code-runner.ts';
    import { Workspaces } from './src/core/execution/workspaces.ts';
    import { loadConfig } from './src/config.ts';
    import { createLogger } from './src/http/logger.ts';
    const config = loadConfig({ TASKLANE_DATA_DIR: ${JSON.stringify(dataDir)} });
    const log = createLogger('silent');
    const provider = await selectSandbox(config.sandbox, log);
    const workspaces = await Workspaces.open(config, provider, log);
    const workspace = await workspaces.create('orphan');
    console.log('ready');
    await runCode(provider.sandbox, workspace, { language: 'bash', source: 'sleep ' + process.env.MARKER }, { memoryMb: 64 });
  `;
  // The marker reaches the script through the environment: were it in the script's text,
  // pgrep would find this node process itself and not the sandboxed sleep.
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: process.cwd(),
    env: { ...process.env, MARKER: marker },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout!.on('data', () => resolve()));
  const running = () => {
    try {
      return (
        execFileSync('pgrep', ['-f', `^sleep ${marker.replace('.', '\\.')}$`], {
          encoding: 'utf8',
        }).trim().length > 0
      );
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && !running(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(running(), 'the sandboxed sleep started');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  for (let i = 0; i < 100 && running(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(running(), false, 'the sandbox must not outlive its parent');
  // The next process on this data dir clears what the dead one left mounted.
  const next = await Workspaces.open(
    loadConfig({ TASKLANE_DATA_DIR: dataDir }),
    await selectSandbox(config.sandbox, log),
    log,
  );
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(
    !fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .includes(`${dataDir}/workspaces/p${child.pid}`),
    "the dead process's workspace is unmounted",
  );
  await next.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
