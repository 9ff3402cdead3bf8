/**
 * Scaled mode: two API replicas on one PostgreSQL and one Redis, each with its own data
 * dir (as docs/configuration.md describes scaling). A token, an API key (sealed by one,
 * opened by the other), a logout and a rate limit act the same on both. On SQLite there
 * is one process per data dir, so the suite runs on PostgreSQL only.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { makeTempDir, TEST_DB } from '../helpers/db.ts';
import { type Client, client } from '../helpers/http.ts';
import { REDIS_URL, startServer, type TestServer } from '../helpers/server.ts';

describe('two replicas on one PostgreSQL', {
  skip: TEST_DB !== 'postgres' && 'PostgreSQL only',
}, () => {
  let first: TestServer;
  let second: TestServer;
  let secondDir: string;
  let a: Client;
  let b: Client;
  before(async () => {
    const env = {
      TASKLANE_RATE_LIMIT: 'true',
      TASKLANE_REDIS_URL: REDIS_URL,
      TASKLANE_REDIS_PREFIX: `replicas-${process.pid}-${Date.now()}:`,
    };
    first = await startServer({ env });
    secondDir = makeTempDir();
    second = await startServer({
      env,
      shared: { databaseUrl: first.env.TASKLANE_DATABASE_URL!, dataDir: secondDir },
    });
    a = client(first.url);
    b = client(second.url);
  });
  after(async () => {
    await second?.close();
    await first?.close();
    if (secondDir) fs.rmSync(secondDir, { recursive: true, force: true });
  });

  test('a login on one replica, its token and API key work on the other; logout ends it on both', async () => {
    const user = {
      username: 'replicated',
      email: 'replicated@example.com',
      password: 'password-123',
    };
    const reg = await b.post('/v1/auth/register', user);
    assert.equal(reg.status, 201, reg.text);
    const apiKey: string = reg.body.user.api_key;
    const login = await b.post('/v1/auth/login', {
      username: user.username,
      password: user.password,
    });
    assert.equal(login.status, 200, login.text);
    const token: string = login.body.access_token;

    const me = await a.get('/v1/auth/me', { token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.user.username, user.username);
    // Sealed by B, opened by A.
    assert.equal(me.body.user.api_key, apiKey);
    const byKey = await a.get('/v1/auth/me', { headers: { 'x-api-key': apiKey } });
    assert.equal(byKey.status, 200, byKey.text);

    const out = await a.post('/auth/logout', undefined, { token });
    assert.equal(out.status, 200, out.text);
    assert.equal((await b.get('/v1/auth/me', { token })).status, 401);
    assert.equal((await a.get('/v1/auth/me', { token })).status, 401);
  });

  test('failed logins count once across both replicas', async () => {
    const bad = { username: 'nobody-here', password: 'wrong-password-1' };
    const first401 = await a.post('/v1/auth/login', bad);
    assert.equal(first401.status, 401, first401.text);
    const limit = Number(first401.headers.get('x-ratelimit-limit'));
    assert.ok(limit > 0, 'the login limit is announced');
    // Alternate replicas: with separate counts each would allow `limit` (2 × limit in all).
    let allowed = 1;
    for (let i = 1; i < 2 * limit; i++) {
      const status = (await (i % 2 ? b : a).post('/v1/auth/login', bad)).status;
      if (status === 429) break;
      assert.equal(status, 401);
      allowed++;
    }
    assert.ok(allowed <= limit, `${allowed} attempts passed; the shared limit is ${limit}`);
    assert.equal((await a.post('/v1/auth/login', bad)).status, 429);
    assert.equal((await b.post('/v1/auth/login', bad)).status, 429);
  });
});
