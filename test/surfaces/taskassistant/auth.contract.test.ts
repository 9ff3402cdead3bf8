/**
 * Task Assistant authentication endpoints, field by field against specs/taskassistant-v1.md.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';

const BODY_LIMIT = 8192;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let server: TestServer;
let api: Client;
before(async () => {
  server = await startServer({ env: { TASKLANE_BODY_LIMIT: String(BODY_LIMIT) } });
  api = client(server.url);
});
after(() => server.close());

describe('POST /api/v1/auth/register', () => {
  test("201: the spec's example creates a tenant with the user as its admin", async () => {
    const res = await api.post('/api/v1/auth/register', {
      email: 'user@example.com',
      password: 'SecureP@ssw0rd123',
      full_name: 'John Doe',
      tenant_name: 'Acme Corp',
    });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'created_at',
      'email',
      'full_name',
      'id',
      'role',
      'tenant_id',
    ]);
    assert.match(res.body.id, UUID);
    assert.match(res.body.tenant_id, UUID);
    assert.equal(res.body.email, 'user@example.com');
    assert.equal(res.body.full_name, 'John Doe');
    assert.equal(res.body.role, 'admin');
    const tenant = await server.runtime.database.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', res.body.tenant_id)
      .executeTakeFirstOrThrow();
    assert.equal(tenant.name, 'Acme Corp');
  });

  test('422 with a detail list of {loc, msg, type} for an invalid email', async () => {
    const res = await api.post('/api/v1/auth/register', {
      email: 'nope',
      password: 'SecureP@ssw0rd123',
      full_name: 'X',
      tenant_name: 'Y',
    });
    assert.equal(res.status, 422);
    assertErrorShape('taskassistant', res);
    assert.deepEqual(res.body.detail[0], {
      loc: ['body', 'email'],
      msg: 'value is not a valid email address',
      type: 'value_error.email',
    });
  });

  test('409 with {detail, error_code, timestamp} for a taken email', async () => {
    const res = await api.post('/api/v1/auth/register', {
      email: 'USER@example.com',
      password: 'SecureP@ssw0rd123',
      full_name: 'J',
      tenant_name: 'T',
    });
    assert.equal(res.status, 409);
    assertErrorShape('taskassistant', res);
    assert.equal(res.body.error_code, 'CONFLICT');
  });

  test('bad input never 5xx', async () => {
    await checkBadInput(
      server.url,
      {
        shape: 'taskassistant',
        method: 'POST',
        path: '/api/v1/auth/register',
        valid: {
          email: 'bi@example.com',
          password: 'SecureP@ssw0rd123',
          full_name: 'B',
          tenant_name: 'I',
        },
        required: ['email', 'password'],
      },
      BODY_LIMIT,
    );
  });
});

describe('POST /api/v1/auth/login and /refresh', () => {
  test('login by email: access_token, token_type bearer, expires_in 86400', async () => {
    const res = await api.post('/api/v1/auth/login', {
      email: 'user@example.com',
      password: 'SecureP@ssw0rd123',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(res.body.token_type, 'bearer');
    assert.equal(res.body.expires_in, 86400);
  });

  test('401 for bad credentials', async () => {
    const res = await api.post('/api/v1/auth/login', {
      email: 'user@example.com',
      password: 'wrong-password',
    });
    assert.equal(res.status, 401);
    assertErrorShape('taskassistant', res);
    assert.equal(res.body.error_code, 'UNAUTHORIZED');
  });

  test('refresh with the access token in the header returns a new token', async () => {
    const login = await api.post('/api/v1/auth/login', {
      email: 'user@example.com',
      password: 'SecureP@ssw0rd123',
    });
    // As the spec's Python example does: Content-Type: application/json on every request, no body.
    const res = await api.post('/api/v1/auth/refresh', undefined, {
      token: login.body.access_token,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.token_type, 'bearer');
    assert.equal(res.body.expires_in, 86400);
    assert.notEqual(res.body.access_token, login.body.access_token);
    const noToken = await api.post('/api/v1/auth/refresh');
    assert.equal(noToken.status, 401);
    assertErrorShape('taskassistant', noToken);
  });

  test('bad input never 5xx', async () => {
    await checkBadInput(
      server.url,
      {
        shape: 'taskassistant',
        method: 'POST',
        path: '/api/v1/auth/login',
        valid: { email: 'user@example.com', password: 'x' },
        required: ['email', 'password'],
      },
      BODY_LIMIT,
    );
  });
});
