/**
 * The autoscaler in `tasklane serve`, end to end: an idle pool started with three slots
 * is scaled down to the minimum by the threshold rule, `tasklane scale` sets it by hand
 * from another process, and both show in /metrics and GET /ml/scaling/history.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import {
  createTestDatabase,
  makeTempDir,
  SHARED_KEYS,
  type TestDatabase,
} from '../../helpers/db.ts';

let dir: string;
let database: TestDatabase;
let env: NodeJS.ProcessEnv;
before(async () => {
  dir = makeTempDir();
  database = await createTestDatabase(dir);
  env = {
    ...process.env,
    // serve and the CLI commands are replicas of one deployment: they share keys.
    ...SHARED_KEYS,
    TASKLANE_DATA_DIR: dir,
    TASKLANE_DATABASE_URL: database.url,
    TASKLANE_LOG_LEVEL: 'info',
    TASKLANE_RATE_LIMIT: 'false',
    TASKLANE_WORKERS: '3',
    TASKLANE_AUTOSCALE_SAMPLE_MS: '300',
    TASKLANE_AUTOSCALE_MIN_WORKERS: '1',
    TASKLANE_AUTOSCALE_MAX_WORKERS: '3',
    TASKLANE_JOB_HEARTBEAT_MS: '200',
  };
});
after(async () => {
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['src/cli.ts', ...args], { env, encoding: 'utf8' });

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

test('serve scales its idle worker down, obeys `tasklane scale`, and reports both', async () => {
  const created = cli(
    'user',
    'create',
    '--username',
    'ops',
    '--email',
    'ops@example.com',
    '--password',
    'ops-password',
    '--admin',
  );
  assert.equal(created.status, 0, created.stderr);
  const child = spawn(process.execPath, ['src/cli.ts', 'serve'], {
    env: { ...env, TASKLANE_PORT: '0' },
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  try {
    const url = await until(
      'the listen line',
      async () => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1],
    );
    const gauge = async () =>
      /^tasklane_desired_workers (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1];
    await until('the pool to shrink to one slot', async () =>
      (await gauge()) === '1' ? true : undefined,
    );
    assert.match(out, /autoscaler resized this worker/);

    const scaled = cli('scale', '--workers', '2', '--reason', 'Maintenance window');
    assert.equal(scaled.status, 0, scaled.stderr);
    assert.match(scaled.stdout, /Worker pool set to 2 slots: Maintenance window/);
    await until('the manual size to be published', async () =>
      (await gauge()) === '2' ? true : undefined,
    );
    const refused = cli('scale', '--workers', '9');
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /between 1 and 3/);

    const login = await fetch(`${url}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ops', password: 'ops-password' }),
    });
    const { access_token } = (await login.json()) as { access_token: string };
    const res = await fetch(`${url}/ml/scaling/history?hours=1`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      history: { action: string; from_replicas: number; to_replicas: number; trigger: string }[];
      total_decisions: number;
    };
    const steps = body.history.map((h) => `${h.trigger}:${h.from_replicas}→${h.to_replicas}`);
    assert.equal(body.history[0]?.trigger, 'manual', steps.join(', '));
    assert.deepEqual(steps.at(0), 'manual:1→2');
    assert.ok(
      steps.slice(1).every((s) => /^threshold:\d→\d$/.test(s)) && steps.includes('threshold:2→1'),
      steps.join(', '),
    );
    assert.equal(body.total_decisions, body.history.length);
  } finally {
    const exit = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exit, new Promise((r) => setTimeout(r, 20_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
