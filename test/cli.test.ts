/**
 * The CLI end to end: migrate, user create, serve (and SIGTERM), a bad setting.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { createTestDatabase, makeTempDir, SHARED_KEYS, type TestDatabase } from './helpers/db.ts';

let dir: string;
let database: TestDatabase;
let env: NodeJS.ProcessEnv;
before(async () => {
  dir = makeTempDir();
  database = await createTestDatabase(dir);
  env = {
    ...process.env,
    TASKLANE_DATA_DIR: dir,
    TASKLANE_DATABASE_URL: database.url,
    TASKLANE_LOG_LEVEL: 'warn',
    ...SHARED_KEYS,
  };
});
after(async () => {
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['src/cli.ts', ...args], { env, encoding: 'utf8' });

test('migrate applies the schema once', () => {
  const first = cli('migrate');
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /Applied: 0001_identity/);
  const second = cli('migrate');
  assert.equal(second.status, 0);
  assert.match(second.stdout, /up to date/);
});

test('user create makes an admin who can log in', async () => {
  const res = cli(
    'user',
    'create',
    '--username',
    'root',
    '--email',
    'root@example.com',
    '--password',
    'root-password',
    '--admin',
  );
  assert.equal(res.status, 0, res.stderr);
  assert.match(res.stdout, /Created admin root \(id \d+,/);
  const dupe = cli(
    'user',
    'create',
    '--username',
    'root',
    '--email',
    'root2@example.com',
    '--password',
    'root-password',
  );
  assert.equal(dupe.status, 1);
  assert.match(dupe.stderr, /already exists/);
});

test('an invalid setting stops start-up with a message naming it', () => {
  const res = spawnSync(process.execPath, ['src/cli.ts', 'serve'], {
    env: { ...env, TASKLANE_PORT: 'abc' },
    encoding: 'utf8',
  });
  assert.equal(res.status, 1);
  assert.match(res.stderr, /TASKLANE_PORT must be an integer/);
});

test('serve answers, and SIGTERM shuts it down cleanly', async () => {
  const child = spawn(process.execPath, ['src/cli.ts', 'serve'], {
    env: { ...env, TASKLANE_PORT: '0', TASKLANE_LOG_LEVEL: 'info' },
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  // A busy machine can take a while to start a process; a child left behind must not hang the suite.
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listen line: ${out}`));
    }, 90_000);
    child.stdout.on('data', () => {
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  const login = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'root', password: 'root-password' }),
  });
  assert.equal(login.status, 200);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
  assert.match(out, /shutting down/);
});
