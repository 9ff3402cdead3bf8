/**
 * CMBCluster's documented limits: auth 10/hour per IP, API 60/minute per user, with
 * X-RateLimit-* headers (Reset an epoch time) and the spec's 429 body.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser } from '../../helpers/users.ts';

let server: TestServer;
let api: Client;

before(async () => {
  server = await startServer({ env: { TASKLANE_RATE_LIMIT: 'true' } });
  api = client(server.url);
});
after(() => server.close());

test('auth: the 11th login start within the hour is a 429 with the spec body', async () => {
  for (let i = 0; i < 10; i++) {
    const res = await api.post('/cmb/auth/login');
    assert.equal(res.status, 503); // no provider configured: still counted
    assert.equal(res.headers.get('x-ratelimit-limit'), '10');
  }
  const res = await api.post('/cmb/auth/login');
  assert.equal(res.status, 429);
  assertErrorShape('cmbcluster', res);
  assert.equal(res.body.error_code, 'RATE_LIMITED');
  assert.equal(res.body.detail, 'Rate limit exceeded: 10 requests per hour');
});

test('API: 60 requests a minute per user, with X-RateLimit-* headers', async () => {
  const user = await createUser(api, 'cmbrl');
  let last = await api.get('/cmb/users/me', { token: user.token });
  assert.equal(last.headers.get('x-ratelimit-limit'), '60');
  assert.equal(last.headers.get('x-ratelimit-remaining'), '59');
  const reset = Number(last.headers.get('x-ratelimit-reset'));
  assert.ok(reset > Date.now() / 1000 - 1 && reset < Date.now() / 1000 + 120, String(reset));
  for (let i = 0; i < 59; i++) last = await api.get('/cmb/users/me', { token: user.token });
  assert.equal(last.status, 200);
  const limited = await api.get('/cmb/users/me', { token: user.token });
  assert.equal(limited.status, 429);
  assert.equal(limited.body.detail, 'Rate limit exceeded: 60 requests per minute');
  assert.equal(limited.body.error_code, 'RATE_LIMITED');
  // /health is not limited.
  assert.equal((await api.get('/cmb/health')).status, 200);
});
