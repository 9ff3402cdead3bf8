/**
 * The warm pool: sandboxes started before their runs are the same sandboxes a cold start
 * makes (environment, open files, uid, limits), are handed out once and never shared,
 * leave nothing behind when unused or not fitting, and die with the server. The pool's
 * bookkeeping (start on demand, refill, skip dead stubs, back off after failures) is
 * checked with stand-in workspaces; the attack suite in sandbox.test.ts runs warm too.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { runCode } from '../../../src/core/execution/code-runner.ts';
import { probeBwrap } from '../../../src/core/execution/sandbox/bwrap.ts';
import { selectSandbox } from '../../../src/core/execution/sandbox/select.ts';
import type { Sandbox } from '../../../src/core/execution/sandbox.types.ts';
import { WarmPool } from '../../../src/core/execution/warm-pool.ts';
import type { WarmProfile } from '../../../src/core/execution/warm-profile.ts';
import type { Workspace } from '../../../src/core/execution/workspace.ts';
import { Workspaces } from '../../../src/core/execution/workspaces.ts';
import { createLogger } from '../../../src/http/logger.ts';
import { makeTempDir } from '../../helpers/db.ts';

const probe = probeBwrap();
const log = createLogger('silent');
const asRoot = process.getuid?.() === 0;

/**
 * Live processes running as `uid` (the workspace's own uid, when the server is root).
 * Zombies are left out: a killed sandbox's inner bwrap is reaped by init, not by us.
 */
function processesOf(uid: number): string[] {
  try {
    return execFileSync('ps', ['-U', String(uid), '-o', 'pid=,stat='], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((line) => !/\sZ/.test(line));
  } catch {
    return []; // ps exits 1 when nothing matches
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 30));
  assert.ok(check(), what);
}

describe('warm sandboxes', {
  skip: probe.ok ? false : `bubblewrap unavailable: ${(probe as { reason: string }).reason}`,
}, () => {
  const root = makeTempDir('tasklane-warm-');
  const config = loadConfig({
    TASKLANE_DATA_DIR: root,
    TASKLANE_SANDBOX_WARM_POOL: 'bash:2,python:1',
  });
  const bash: WarmProfile = { language: 'bash', network: false, memoryMb: config.sandbox.memoryMb };
  let workspaces: Workspaces;
  let sandbox: Sandbox;
  let n = 0;

  before(async () => {
    const provider = await selectSandbox(config.sandbox, log);
    assert.ok(provider.available);
    sandbox = provider.sandbox;
    workspaces = await Workspaces.open(config, provider, log);
  });
  after(async () => {
    await workspaces?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  async function warm(profile: WarmProfile = bash): Promise<Workspace> {
    n += 1;
    let workspace = await workspaces.create(`w${n}`, profile);
    if (!workspace.warm) {
      await workspace.remove();
      await workspaces.warmPool!.settled();
      workspace = await workspaces.create(`w${n}`, profile);
    }
    assert.ok(workspace.warm, 'the pool had one ready');
    return workspace;
  }

  const bashRun = (workspace: Workspace, source: string, extra = {}) =>
    runCode(sandbox, workspace, { language: 'bash', source, ...extra }, { memoryMb: 64 });

  test('a warm run sees what a cold run sees: environment, open files, uid, working directory', async () => {
    const probeScript =
      'env | grep -v "^_=" | sort; echo ---; ls /proc/self/fd; echo ---; id -u; pwd; echo ---; cat';
    const cold = await workspaces.create(`c${++n}`);
    const hot = await warm();
    assert.equal(hot.tainted, false, 'nothing untrusted ran in it yet');
    const [a, b] = await Promise.all([
      bashRun(cold, probeScript, { stdin: 'in' }),
      bashRun(hot, probeScript, { stdin: 'in' }),
    ]);
    assert.equal(a.warmStart, false);
    assert.equal(b.warmStart, true);
    assert.equal(hot.tainted, true);
    const [envA, fdsA, who, stdinA] = a.stdout.split('---\n');
    const [envB, fdsB, whoB, stdinB] = b.stdout.split('---\n');
    assert.equal(envB, envA);
    assert.equal(fdsB, fdsA, 'the stub hands over no extra descriptor');
    assert.equal(stdinB, 'in');
    assert.equal(stdinA, 'in');
    if (asRoot) {
      assert.equal(whoB!.split('\n')[0], String(hot.uid), "the run is the workspace's uid");
      assert.equal(who!.split('\n')[0], String(cold.uid));
    }
    assert.match(whoB!, /\/workspace\n$/);
    await Promise.all([cold.remove(), hot.remove()]);
  });

  test('each warm workspace is used once and never handed out again', async () => {
    const first = await warm();
    const second = await warm();
    assert.notEqual(first.dir, second.dir);
    if (asRoot) assert.notEqual(first.uid, second.uid);
    await bashRun(first, 'echo secret > mine.txt');
    const again = await bashRun(first, 'cat mine.txt');
    assert.equal(again.warmStart, false, 'a second run in the workspace starts cold');
    assert.equal(again.stdout, 'secret\n');
    const third = await warm();
    assert.ok(![first.dir, second.dir].includes(third.dir));
    assert.equal((await third.read('mine.txt', 100)).kind, 'missing');
    await Promise.all([first.remove(), second.remove(), third.remove()]);
  });

  test('a run that does not fit the warm sandbox runs cold, and the stub is killed', async () => {
    const workspace = await warm();
    const stub = asRoot ? processesOf(workspace.uid!) : [];
    if (asRoot) assert.ok(stub.length > 0, 'the stub runs as the workspace uid');
    // Another process cap than the pool's: the sandbox must be made for it.
    const result = await bashRun(workspace, 'echo cold', { limits: { processes: 16 } });
    assert.equal(result.warmStart, false);
    assert.equal(result.stdout, 'cold\n');
    if (asRoot)
      await eventually(() => processesOf(workspace.uid!).length === 0, 'nothing left running');
    await workspace.remove();
  });

  test('an unused warm workspace, removed, leaves no process, cgroup or mount', async () => {
    const workspace = await warm();
    await workspace.remove();
    if (asRoot) assert.deepEqual(processesOf(workspace.uid!), []);
    assert.ok(!fs.existsSync(workspace.dir));
    assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(workspace.dir));
  });

  test('a warm run keeps the wall clock of its own: its start is not counted', async () => {
    const workspace = await warm();
    await new Promise((r) => setTimeout(r, 300)); // the stub waits; no clock runs
    const result = await bashRun(workspace, 'sleep 0.2; echo late', { limits: { timeoutMs: 400 } });
    assert.equal(result.timedOut, false);
    assert.equal(result.stdout, 'late\n');
    const slow = await bashRun(await warm(), 'sleep 5', { limits: { timeoutMs: 300 } });
    assert.equal(slow.timedOut, true);
    assert.ok(slow.durationMs < 3000, `killed at ${slow.durationMs} ms`);
  });

  test('the warm sandboxes die with the server that started them', async () => {
    const dataDir = makeTempDir('tasklane-warm-orphan-');
    const script = `
      import { loadConfig } from './src/config.ts';
      import { selectSandbox } from './src/core/execution/sandbox/select.ts';
      import { Workspaces } from './src/core/execution/workspaces.ts';
      import { createLogger } from './src/http/logger.ts';
      const config = loadConfig({ TASKLANE_DATA_DIR: ${JSON.stringify(dataDir)}, TASKLANE_SANDBOX_WARM_POOL: 'bash:3' });
      const log = createLogger('silent');
      const workspaces = await Workspaces.open(config, await selectSandbox(config.sandbox, log), log);
      await workspaces.create('first', { language: 'bash', network: false, memoryMb: config.sandbox.memoryMb });
      await workspaces.warmPool.settled();
      console.log(JSON.stringify(workspaces.warmPool.stats()));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve) =>
      child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString())),
    );
    assert.match(line, /"bash@\d+":3/);
    // bwrap's command line names the workspace it binds, under this data dir.
    const stubs = () => {
      try {
        return execFileSync('pgrep', ['-f', `bwrap .*${dataDir}`], { encoding: 'utf8' }).trim();
      } catch {
        return '';
      }
    };
    assert.notEqual(stubs(), '', 'three stubs are waiting');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await eventually(() => stubs() === '', 'no warm sandbox outlives its server');
    const next = await Workspaces.open(
      loadConfig({ TASKLANE_DATA_DIR: dataDir }),
      {
        available: false,
        reason: 'not needed',
      },
      log,
    );
    await next.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('warm pool bookkeeping', () => {
  /** A stand-in for a warm workspace: alive until killed, removed at most once. */
  class Standin {
    static made = 0;
    readonly id = ++Standin.made;
    alive = true;
    removed = 0;
    get warm() {
      return this.alive && this.removed === 0;
    }
    async remove() {
      this.removed++;
    }
  }
  const profile: WarmProfile = { language: 'python', network: false, memoryMb: 512 };
  const entries = [{ ...profile, count: 2 }];

  function pool(start: (p: WarmProfile) => Promise<Standin | undefined>) {
    const made: Standin[] = [];
    const warnings: unknown[] = [];
    const logger = { ...log, warn: (...args: unknown[]) => warnings.push(args) } as typeof log;
    const p = new WarmPool(
      entries,
      async (wanted) => {
        const s = await start(wanted);
        if (s) made.push(s);
        return s as unknown as Workspace | undefined;
      },
      logger,
    );
    return { p, made, warnings };
  }

  test('nothing starts before a run asks; then the profile is kept at its count', async () => {
    const { p, made } = pool(async () => new Standin());
    await p.settled();
    assert.equal(made.length, 0, 'an idle server holds no sandboxes');
    assert.equal(p.take(profile), undefined, 'the first ask is cold');
    await p.settled();
    assert.equal(made.length, 2);
    const one = p.take(profile) as unknown as Standin;
    assert.ok(one);
    await p.settled();
    assert.equal(made.length, 3, 'refilled after a take');
    assert.deepEqual(p.stats(), { 'python@512': 2 });
    assert.equal(p.take({ ...profile, memoryMb: 1024 }), undefined, 'an unlisted size has none');
    await p.close();
    assert.deepEqual(
      made.filter((s) => s !== one).map((s) => s.removed),
      [1, 1],
      'closing removes the waiting ones',
    );
    assert.equal(one.removed, 0, 'the one handed out is its task’s to remove');
  });

  test('closing waits for starts under way and removes what they made', async () => {
    const { p, made } = pool(
      () => new Promise((resolve) => setTimeout(() => resolve(new Standin()), 50)),
    );
    p.take(profile);
    await p.close();
    assert.equal(made.length, 2, 'both starts finished');
    assert.deepEqual(
      made.map((s) => s.removed),
      [1, 1],
      'and nothing they made outlives the pool',
    );
    assert.equal(p.take(profile), undefined, 'a closed pool hands out nothing');
  });

  test('a stub that died while waiting is removed, never handed out', async () => {
    const { p, made } = pool(async () => new Standin());
    p.take(profile);
    await p.settled();
    made[0]!.alive = false;
    const got = p.take(profile) as unknown as Standin;
    assert.equal(got, made[1]);
    assert.equal(made[0]!.removed, 1);
    await p.close();
  });

  test('a profile whose start fails waits before trying again, and says so once', async () => {
    let calls = 0;
    const { p, warnings } = pool(async () => {
      calls++;
      throw new Error('bwrap: no');
    });
    p.take(profile);
    await p.settled();
    p.take(profile);
    await p.settled();
    assert.equal(calls, 2, 'two starts were tried, then the profile rests');
    assert.equal(warnings.length, 1);
    await p.close();
  });

  test('a profile whose runtime is missing stops asking', async () => {
    let calls = 0;
    const { p } = pool(async () => {
      calls++;
      return undefined;
    });
    p.take(profile);
    await p.settled();
    p.take(profile);
    await p.settled();
    assert.equal(calls, 2, 'the first fill tried its count, then none again');
    await p.close();
  });
});
