/**
 * One identity across surfaces: a token or key issued through any surface works on all.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Client, client } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createUser } from '../helpers/users.ts';

let server: TestServer;
let api: Client;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(() => server.close());

test('a Codeep login token works on AutoServe GET /users/me', async () => {
  const user = await createUser(api, 'codeep');
  const res = await api.get('/users/me', { token: user.token });
  assert.equal(res.status, 200);
  assert.equal(res.body.username, user.username);
  assert.equal(res.body.email, user.email);
});

test('an AutoServe login token works on Codeep GET /v1/auth/me', async () => {
  await api.post('/users/register', {
    username: 'as_cross',
    password: 'password-123',
    email: 'as_cross@example.com',
  });
  const login = await api.post('/auth/login', { username: 'as_cross', password: 'password-123' });
  const res = await api.get('/v1/auth/me', { token: login.body.access_token });
  assert.equal(res.status, 200);
  assert.equal(res.body.user.username, 'as_cross');
  assert.equal(typeof res.body.user.api_key, 'string');
});

test('a Task Assistant token works on Codeep and AutoServe, and the reverse on refresh', async () => {
  await api.post('/api/v1/auth/register', {
    email: 'ta_cross@example.com',
    password: 'password-123',
    full_name: 'T',
    tenant_name: 'T Co',
  });
  const login = await api.post('/api/v1/auth/login', {
    email: 'ta_cross@example.com',
    password: 'password-123',
  });
  assert.equal((await api.get('/v1/auth/me', { token: login.body.access_token })).status, 200);
  assert.equal((await api.get('/users/me', { token: login.body.access_token })).status, 200);
  const user = await createUser(api, 'rev');
  assert.equal(
    (await api.post('/api/v1/auth/refresh', undefined, { token: user.token })).status,
    200,
  );
});

test('an API key works with X-API-Key + X-User-ID and fails with another user id', async () => {
  const alice = await createUser(api, 'alice');
  const bob = await createUser(api, 'bob');
  const ok = await api.get('/users/me', {
    headers: { 'x-api-key': alice.apiKey, 'x-user-id': String(alice.id) },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.username, alice.username);
  const okCodeep = await api.get('/v1/auth/me', {
    headers: { 'x-api-key': alice.apiKey, 'x-user-id': String(alice.id) },
  });
  assert.equal(okCodeep.status, 200);
  const wrongUser = await api.get('/users/me', {
    headers: { 'x-api-key': alice.apiKey, 'x-user-id': String(bob.id) },
  });
  assert.equal(wrongUser.status, 401);
  const wrongKey = await api.get('/users/me', {
    headers: { 'x-api-key': `${alice.apiKey}x`, 'x-user-id': String(alice.id) },
  });
  assert.equal(wrongKey.status, 401);
  const bearerKey = await api.get('/v1/auth/me', { token: alice.apiKey });
  assert.equal(bearerKey.status, 200, 'an API key is also accepted as a bearer token');
});

test('after logout the access token is refused on every surface', async () => {
  const user = await createUser(api, 'out');
  assert.equal((await api.post('/auth/logout', undefined, { token: user.token })).status, 200);
  assert.equal((await api.get('/v1/auth/me', { token: user.token })).status, 401);
  assert.equal((await api.get('/users/me', { token: user.token })).status, 401);
  assert.equal(
    (await api.post('/api/v1/auth/refresh', undefined, { token: user.token })).status,
    401,
  );
});

test('a forged or expired token gets 401', async () => {
  const user = await createUser(api, 'forge');
  const [header, payload] = user.token.split('.');
  const forged = `${header}.${payload}.${'A'.repeat(43)}`;
  assert.equal((await api.get('/users/me', { token: forged })).status, 401);
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  claims.exp = Math.floor(Date.now() / 1000) - 10;
  const expired = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${user.token.split('.')[2]}`;
  assert.equal((await api.get('/v1/auth/me', { token: expired })).status, 401);
});

test('session cookie: GET works; a cross-site POST is refused (CSRF); a same-origin one passes', async () => {
  const user = await createUser(api, 'cookie');
  const cookie = { cookie: `tasklane_session=${user.token}` };
  assert.equal((await api.get('/users/me', { headers: cookie })).status, 200);
  const cross = await api.put(
    '/users/me',
    { full_name: 'X' },
    { headers: { ...cookie, origin: 'https://evil.example' } },
  );
  assert.equal(cross.status, 403);
  const crossFetch = await api.put(
    '/users/me',
    { full_name: 'X' },
    { headers: { ...cookie, 'sec-fetch-site': 'cross-site' } },
  );
  assert.equal(crossFetch.status, 403);
  const same = await api.put(
    '/users/me',
    { full_name: 'Y' },
    { headers: { ...cookie, origin: server.url } },
  );
  assert.equal(same.status, 200);
});
