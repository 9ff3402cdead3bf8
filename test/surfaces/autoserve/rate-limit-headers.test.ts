/**
 * specs/autoserve.md: "Rate limit headers are included in responses", so a 401 (refused
 * credentials, counted as anonymous) and a 404 (no such route) carry them too.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client, type Response } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';

let server: TestServer;
let api: Client;
before(async () => {
  server = await startServer({ env: { TASKLANE_RATE_LIMIT: 'true' } });
  api = client(server.url);
});
after(() => server.close());

function assertLimitHeaders(res: Response, limit: number, label: string) {
  assert.equal(res.headers.get('x-ratelimit-limit'), String(limit), `${label}: limit`);
  const remaining = Number(res.headers.get('x-ratelimit-remaining'));
  assert.ok(remaining >= 0 && remaining < limit, `${label}: remaining ${remaining}`);
  const reset = Number(res.headers.get('x-ratelimit-reset'));
  const now = Date.now() / 1000;
  assert.ok(reset > now && reset <= now + 3601, `${label}: reset ${reset} is an epoch second`);
}

test('401 without credentials and with a bad token carries the anonymous limit (100/h)', async () => {
  const none = await api.get('/users/me');
  assert.equal(none.status, 401);
  assertErrorShape('autoserve', none);
  assertLimitHeaders(none, 100, 'no credentials');
  const bad = await api.get('/users/me', { token: 'not-a-jwt' });
  assert.equal(bad.status, 401);
  assertLimitHeaders(bad, 100, 'bad token');
  assert.ok(
    Number(bad.headers.get('x-ratelimit-remaining')) <
      Number(none.headers.get('x-ratelimit-remaining')),
    'refused requests are counted',
  );
});

test('404 of an unknown route carries the limit of whoever called (1000/h for a user)', async () => {
  const anonymous = await api.get('/no/such/route');
  assert.equal(anonymous.status, 404);
  assertErrorShape('autoserve', anonymous);
  assert.equal(anonymous.body.error.code, 'NOT_FOUND');
  assertLimitHeaders(anonymous, 100, 'anonymous 404');

  await api.post('/users/register', {
    username: 'rl_user',
    password: 'password-123',
    email: 'rl_user@example.com',
  });
  const login = await api.post('/auth/login', { username: 'rl_user', password: 'password-123' });
  assertLimitHeaders(login, 100, 'login');
  const token = login.body.access_token as string;
  const missing = await api.get('/no/such/route', { token });
  assert.equal(missing.status, 404);
  assertLimitHeaders(missing, 1000, 'user 404');
  const ok = await api.get('/users/me', { token });
  assert.equal(ok.status, 200);
  assertLimitHeaders(ok, 1000, 'user 200');
});
