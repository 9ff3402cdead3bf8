/**
 * AutoServe authentication and user endpoints, field by field against specs/autoserve.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';

const BODY_LIMIT = 8192;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
let server: TestServer;
let api: Client;
before(async () => {
  server = await startServer({ env: { TASKLANE_BODY_LIMIT: String(BODY_LIMIT) } });
  api = client(server.url);
});
after(() => server.close());

async function registerAndLogin(username: string) {
  await api.post('/users/register', {
    username,
    password: 'password-123',
    email: `${username}@example.com`,
    full_name: 'Test User',
  });
  const res = await api.post('/auth/login', { username, password: 'password-123' });
  assert.equal(res.status, 200);
  return res.body as { access_token: string; refresh_token: string };
}

describe('POST /users/register', () => {
  test('201 with id (uuid), username, email, full_name, is_active, created_at', async () => {
    const res = await api.post('/users/register', {
      username: 'as_user',
      password: 'password-123',
      email: 'as@example.com',
      full_name: 'Ada Lovelace',
    });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'created_at',
      'email',
      'full_name',
      'id',
      'is_active',
      'username',
    ]);
    assert.match(res.body.id, UUID);
    assert.equal(res.body.username, 'as_user');
    assert.equal(res.body.email, 'as@example.com');
    assert.equal(res.body.full_name, 'Ada Lovelace');
    assert.equal(res.body.is_active, true);
    assert.match(res.body.created_at, ISO);
  });

  test('409 CONFLICT for a taken username; 400 VALIDATION_ERROR with field details for a bad email', async () => {
    const dupe = await api.post('/users/register', {
      username: 'as_user',
      password: 'password-123',
      email: 'as2@example.com',
    });
    assert.equal(dupe.status, 409);
    assert.equal(dupe.body.error.code, 'CONFLICT');
    const bad = await api.post('/users/register', {
      username: 'someone',
      password: 'password-123',
      email: 'not-an-email',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_ERROR');
    assert.equal(bad.body.error.message, 'Invalid input parameters');
    assert.deepEqual(bad.body.error.details, {
      field: 'email',
      issue: 'value is not a valid email address',
    });
    assert.equal(bad.body.error.request_id, bad.headers.get('x-request-id'));
  });

  test('bad input never 5xx', async () => {
    await checkBadInput(
      server.url,
      {
        shape: 'autoserve',
        method: 'POST',
        path: '/users/register',
        valid: {
          username: 'badin',
          password: 'password-123',
          email: 'badin@example.com',
          full_name: 'X',
        },
        required: ['username', 'password', 'email'],
      },
      BODY_LIMIT,
    );
  });
});

describe('POST /auth/login, /auth/refresh, /auth/logout', () => {
  test('login returns access_token, refresh_token, token_type bearer, expires_in 3600', async () => {
    const body = await registerAndLogin('as_login');
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
    ]);
    assert.equal((body as any).token_type, 'bearer');
    assert.equal((body as any).expires_in, 3600);
  });

  test('refresh returns exactly access_token, token_type, expires_in; the login refresh token works again and again', async () => {
    const first = await registerAndLogin('as_refresh');
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.post('/auth/refresh', { refresh_token: first.refresh_token });
      assert.equal(res.status, 200, `refresh #${i + 1}`);
      assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'token_type']);
      assert.equal(res.body.token_type, 'bearer');
      assert.equal(res.body.expires_in, 3600);
      assert.equal(typeof res.body.access_token, 'string');
      tokens.push(res.body.access_token);
    }
    for (const token of tokens) assert.equal((await api.get('/users/me', { token })).status, 200);
    // Logging out with any token of the session ends the refresh token and every access token.
    const out = await api.post('/auth/logout', undefined, { token: tokens[1] });
    assert.equal(out.status, 200);
    const after = await api.post('/auth/refresh', { refresh_token: first.refresh_token });
    assert.equal(after.status, 401);
    assertErrorShape('autoserve', after);
    assert.equal(after.body.error.code, 'UNAUTHORIZED');
    for (const token of [first.access_token, ...tokens])
      assert.equal((await api.get('/users/me', { token })).status, 401);
  });

  test('an unknown refresh token is 401 UNAUTHORIZED and does not touch other sessions', async () => {
    const tokens = await registerAndLogin('as_refresh2');
    const bad = await api.post('/auth/refresh', { refresh_token: 'rt_not-a-real-token' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'UNAUTHORIZED');
    const ok = await api.post('/auth/refresh', { refresh_token: tokens.refresh_token });
    assert.equal(ok.status, 200);
  });

  test('logout: 200 message, then the access token and its refresh token are refused', async () => {
    const tokens = await registerAndLogin('as_logout');
    const res = await api.post('/auth/logout', undefined, { token: tokens.access_token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { message: 'Successfully logged out' });
    const me = await api.get('/users/me', { token: tokens.access_token });
    assert.equal(me.status, 401);
    assertErrorShape('autoserve', me);
    assert.equal(
      (await api.post('/auth/refresh', { refresh_token: tokens.refresh_token })).status,
      401,
    );
  });

  test('logout with Content-Type: application/json and no body still works', async () => {
    const tokens = await registerAndLogin('as_logout2');
    const res = await api.post('/auth/logout', undefined, {
      token: tokens.access_token,
      raw: '',
      contentType: 'application/json',
    });
    assert.equal(res.status, 200);
  });

  test('bad input never 5xx', async () => {
    await checkBadInput(
      server.url,
      {
        shape: 'autoserve',
        method: 'POST',
        path: '/auth/login',
        valid: { username: 'x', password: 'y' },
        required: ['username', 'password'],
      },
      BODY_LIMIT,
    );
    await checkBadInput(
      server.url,
      {
        shape: 'autoserve',
        method: 'POST',
        path: '/auth/refresh',
        valid: { refresh_token: 'rt_x' },
        required: ['refresh_token'],
      },
      BODY_LIMIT,
    );
  });
});

describe('GET/PUT /users/me', () => {
  test('GET returns the profile; PUT updates full_name and email', async () => {
    const { access_token } = await registerAndLogin('as_me');
    const me = await api.get('/users/me', { token: access_token });
    assert.equal(me.status, 200);
    assert.deepEqual(Object.keys(me.body).sort(), [
      'created_at',
      'email',
      'full_name',
      'id',
      'is_active',
      'updated_at',
      'username',
    ]);
    const put = await api.put(
      '/users/me',
      { full_name: 'New Name', email: 'new-me@example.com' },
      { token: access_token },
    );
    assert.equal(put.status, 200);
    assert.equal(put.body.full_name, 'New Name');
    assert.equal(put.body.email, 'new-me@example.com');
    assert.equal(put.body.id, me.body.id);
    assert.ok(put.body.updated_at >= me.body.updated_at);
  });

  test('PUT to an email another user has is 409', async () => {
    const { access_token } = await registerAndLogin('as_me2');
    const res = await api.put(
      '/users/me',
      { email: 'as_login@example.com' },
      { token: access_token },
    );
    assert.equal(res.status, 409);
    assertErrorShape('autoserve', res);
  });

  test('PUT bad input never 5xx', async () => {
    const { access_token } = await registerAndLogin('as_me3');
    await checkBadInput(
      server.url,
      {
        shape: 'autoserve',
        method: 'PUT',
        path: '/users/me',
        valid: { full_name: 'A', email: 'as_me3b@example.com' },
        required: [],
        token: access_token,
      },
      BODY_LIMIT,
    );
  });

  test('401 UNAUTHORIZED without credentials', async () => {
    const res = await api.get('/users/me');
    assert.equal(res.status, 401);
    assert.equal(res.body.error.code, 'UNAUTHORIZED');
  });
});
