/**
 * Codeep authentication endpoints, field by field against specs/codeep-v1.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';

const BODY_LIMIT = 8192;
let server: TestServer;
let api: Client;
before(async () => {
  server = await startServer({ env: { TASKLANE_BODY_LIMIT: String(BODY_LIMIT) } });
  api = client(server.url);
});
after(() => server.close());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const USER_KEYS = ['api_key', 'created_at', 'daily_limit', 'email', 'id', 'username'];

function assertUser(user: any, username: string, email: string) {
  assert.deepEqual(Object.keys(user).sort(), USER_KEYS);
  assert.ok(Number.isInteger(user.id));
  assert.equal(user.username, username);
  assert.equal(user.email, email);
  assert.equal(typeof user.api_key, 'string');
  assert.ok(user.api_key.length > 20);
  assert.equal(user.daily_limit, 100);
  assert.match(user.created_at, ISO);
}

describe('POST /v1/auth/register', () => {
  test('201 with message and the user object', async () => {
    const res = await api.post('/v1/auth/register', {
      username: 'codeep_reg',
      email: 'reg@example.com',
      password: 'your_password',
    });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ['message', 'user']);
    assert.equal(res.body.message, 'User registered successfully');
    assertUser(res.body.user, 'codeep_reg', 'reg@example.com');
  });

  test('400 when a required field is missing', async () => {
    for (const body of [
      { email: 'a@example.com', password: 'password1' },
      { username: 'abc', password: 'password1' },
      { username: 'abc', email: 'a@example.com' },
    ]) {
      const res = await api.post('/v1/auth/register', body);
      assert.equal(res.status, 400);
      assertErrorShape('codeep', res);
      assert.equal(res.body.msg, 'Missing required fields');
    }
  });

  test('409 when the username or the email already exists (any case)', async () => {
    await api.post('/v1/auth/register', {
      username: 'dupe',
      email: 'dupe@example.com',
      password: 'password1',
    });
    const sameName = await api.post('/v1/auth/register', {
      username: 'DUPE',
      email: 'other@example.com',
      password: 'password1',
    });
    const sameEmail = await api.post('/v1/auth/register', {
      username: 'other',
      email: 'Dupe@Example.com',
      password: 'password1',
    });
    for (const res of [sameName, sameEmail]) {
      assert.equal(res.status, 409);
      assertErrorShape('codeep', res);
    }
  });

  test('bad input is a 400/413/415 in {msg, error}, never a 5xx', async () => {
    await checkBadInput(
      server.url,
      {
        shape: 'codeep',
        method: 'POST',
        path: '/v1/auth/register',
        valid: { username: 'bad_input', email: 'bad@example.com', password: 'password1' },
        required: ['username', 'email', 'password'],
      },
      BODY_LIMIT,
    );
  });
});

describe('POST /v1/auth/login', () => {
  test('200 with access_token and the user; the token works on /auth/me', async () => {
    await api.post('/v1/auth/register', {
      username: 'your_username',
      email: 'login@example.com',
      password: 'your_password',
    });
    const res = await api.post('/v1/auth/login', {
      username: 'your_username',
      password: 'your_password',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'user']);
    assertUser(res.body.user, 'your_username', 'login@example.com');
    const me = await api.get('/v1/auth/me', { token: res.body.access_token });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body.user, res.body.user);
  });

  test('400 when username or password is missing', async () => {
    const res = await api.post('/v1/auth/login', { username: 'x' });
    assert.equal(res.status, 400);
    assertErrorShape('codeep', res);
  });

  test('401 for a wrong password and for an unknown user, with the same body', async () => {
    await api.post('/v1/auth/register', {
      username: 'wrongpw',
      email: 'wrongpw@example.com',
      password: 'password1',
    });
    const wrong = await api.post('/v1/auth/login', { username: 'wrongpw', password: 'password2' });
    const unknown = await api.post('/v1/auth/login', {
      username: 'nobody-here',
      password: 'password2',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
    assertErrorShape('codeep', wrong);
  });

  test('bad input never 5xx', async () => {
    await checkBadInput(
      server.url,
      {
        shape: 'codeep',
        method: 'POST',
        path: '/v1/auth/login',
        valid: { username: 'x', password: 'y' },
        required: ['username', 'password'],
      },
      BODY_LIMIT,
    );
  });
});

describe('GET /v1/auth/me', () => {
  test('401 without a token, with a malformed header and with a garbage token', async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Token abc' },
      { authorization: 'Bearer not.a.jwt' },
    ];
    for (const headers of variants) {
      const res = await api.get('/v1/auth/me', { headers });
      assert.equal(res.status, 401);
      assertErrorShape('codeep', res);
    }
  });
});

test('GET /v1/health', async () => {
  const res = await api.get('/v1/health');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { status: 'healthy', service: 'Codeep AI API' });
});

test('an unknown /v1 route is a 404 in Codeep shape', async () => {
  const res = await api.get('/v1/does-not-exist');
  assert.equal(res.status, 404);
  assertErrorShape('codeep', res);
});
