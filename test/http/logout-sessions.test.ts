/**
 * Logout ends the whole session (security review, issue 10, finding B): every access
 * token of one login, including those Task Assistant's refresh reissues and those a
 * refresh-token rotation issues, and the refresh-token family, on every surface.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import { uuidv7 } from '../../src/core/shared/ids.ts';
import { type Client, client } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let api: Client;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(() => server.close());

const PASSWORD = 'session-password-1';
let n = 0;

/** Registers through Task Assistant and logs in there: the first token of a session. */
async function taLogin(): Promise<{ id: string; tenantId: string; token: string }> {
  const email = `session${++n}_${Math.random().toString(36).slice(2, 8)}@example.com`;
  const reg = await api.post('/api/v1/auth/register', { email, password: PASSWORD });
  assert.equal(reg.status, 201, reg.text);
  const login = await api.post('/api/v1/auth/login', { email, password: PASSWORD });
  assert.equal(login.status, 200, login.text);
  return { id: reg.body.id, tenantId: reg.body.tenant_id, token: login.body.access_token };
}

/** Task Assistant's refresh: the bearer token in, a new one out. */
async function taRefresh(token: string): Promise<string> {
  const res = await api.post('/api/v1/auth/refresh', undefined, { token });
  assert.equal(res.status, 200, res.text);
  return res.body.access_token;
}

async function logout(token: string): Promise<void> {
  const res = await api.post('/auth/logout', undefined, { token });
  assert.equal(res.status, 200, res.text);
}

/** The token works (true) or is refused with 401 (false) on every surface alike. */
async function works(token: string): Promise<boolean> {
  const statuses = [
    (await api.get('/api/v1/tasks', { token })).status,
    (await api.get('/users/me', { token })).status,
    (await api.get('/v1/auth/me', { token })).status,
  ];
  if (statuses.every((s) => s === 200)) return true;
  assert.deepEqual(statuses, [401, 401, 401]);
  return false;
}

test("logout ends the tokens Task Assistant's refresh reissued from the logged-out one", async () => {
  const { token: first } = await taLogin();
  const second = await taRefresh(first);
  const third = await taRefresh(second);
  assert.ok(await works(third));
  await logout(first);
  for (const token of [first, second, third]) assert.equal(await works(token), false);
  const again = await api.post('/api/v1/auth/refresh', undefined, { token: third });
  assert.equal(again.status, 401, again.text);
});

test('logout with a reissued token ends the token it was reissued from', async () => {
  const { token: first } = await taLogin();
  const second = await taRefresh(first);
  await logout(second);
  assert.equal(await works(first), false);
  assert.equal(await works(second), false);
});

test('another login of the same user is another session and keeps working', async () => {
  const { token: first } = await taLogin();
  const me = await api.get('/users/me', { token: first });
  const other = await api.post('/auth/login', { username: me.body.email, password: PASSWORD });
  await logout(await taRefresh(first));
  assert.equal(await works(other.body.access_token), true);
});

test('an AutoServe session: refreshed, reissued by Task Assistant, all ended by one logout', async () => {
  await api.post('/users/register', {
    username: 'as_session',
    email: 'as_session@example.com',
    password: PASSWORD,
  });
  const login = await api.post('/auth/login', { username: 'as_session', password: PASSWORD });
  const refreshed = await api.post('/auth/refresh', { refresh_token: login.body.refresh_token });
  assert.equal(refreshed.status, 200, refreshed.text);
  const reissued = await taRefresh(refreshed.body.access_token);
  await logout(reissued);
  for (const token of [login.body.access_token, refreshed.body.access_token, reissued])
    assert.equal(await works(token), false);
  // AutoServe's refresh token is the login's (it does not rotate): logout ended it too.
  const refresh = await api.post('/auth/refresh', { refresh_token: login.body.refresh_token });
  assert.equal(refresh.status, 401, refresh.text);
});

test('a token issued before sessions (no fam) and its reissues end together', async () => {
  const { id, tenantId } = await taLogin();
  // What an older version signed: no `fam` claim.
  const legacy = await new SignJWT({ tid: tenantId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(id)
    .setIssuer('tasklane')
    .setJti(uuidv7(Date.now()))
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(server.runtime.keys.jwtKey);
  assert.ok(await works(legacy));
  const reissued = await taRefresh(legacy);
  await logout(reissued);
  assert.equal(await works(legacy), false);
  assert.equal(await works(reissued), false);
});
