/**
 * CMBCluster for users who signed up elsewhere (password, bearer token or API key):
 * /users/me, /user-env-vars, /activity, /admin/*, /health and /, field by field against
 * specs/cmbcluster.md, with bad input and other users' resources.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser, type TestUser } from '../../helpers/users.ts';

const BODY_LIMIT = 65_536;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let server: TestServer;
let api: Client;
let alice: TestUser;
let bob: TestUser;
let admin: TestUser;

before(async () => {
  server = await startServer({
    env: {
      TASKLANE_BODY_LIMIT: String(BODY_LIMIT),
      TASKLANE_ENV_MAX_UPTIME_MINUTES_PRO: '180',
      TASKLANE_ENV_AUTO_SHUTDOWN_PRO: 'false',
    },
  });
  api = client(server.url);
  alice = await createUser(api, 'cmba');
  bob = await createUser(api, 'cmbb');
  admin = await createUser(api, 'cmbadmin');
  await server.runtime.database.db
    .updateTable('users')
    .set({ role: 'admin' })
    .where('id', '=', admin.id)
    .execute();
});
after(() => server.close());

describe('GET /users/me', () => {
  test("the spec example's fields, with the tier's limits from configuration", async () => {
    const res = await api.get('/cmb/users/me', { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['data', 'status', 'timestamp']);
    assert.equal(res.body.status, 'success');
    assert.match(res.body.timestamp, ISO);
    const me = res.body.data;
    assert.deepEqual(Object.keys(me).sort(), [
      'auto_shutdown_enabled',
      'created_at',
      'email',
      'id',
      'max_uptime_minutes',
      'role',
      'subscription_tier',
    ]);
    assert.match(me.id, UUID);
    assert.equal(me.email, alice.email);
    assert.equal(me.role, 'user');
    assert.equal(me.subscription_tier, 'free');
    assert.match(me.created_at, ISO);
    assert.equal(me.max_uptime_minutes, 60);
    assert.equal(me.auto_shutdown_enabled, true);
  });

  test('an API key (X-API-Key or Bearer) works too; a pro user gets the pro settings', async () => {
    await server.runtime.database.db
      .updateTable('users')
      .set({ tier: 'pro' })
      .where('id', '=', bob.id)
      .execute();
    const viaHeader = await api.get('/cmb/users/me', { headers: { 'x-api-key': bob.apiKey } });
    assert.equal(viaHeader.status, 200);
    assert.equal(viaHeader.body.data.subscription_tier, 'pro');
    assert.equal(viaHeader.body.data.max_uptime_minutes, 180);
    assert.equal(viaHeader.body.data.auto_shutdown_enabled, false);
    const viaBearer = await api.get('/cmb/users/me', { token: bob.apiKey });
    assert.equal(viaBearer.status, 200);
    assert.equal(viaBearer.body.data.email, bob.email);
  });

  test("401 UNAUTHORIZED without credentials, in the spec's error shape", async () => {
    const res = await api.get('/cmb/users/me');
    assert.equal(res.status, 401);
    assert.deepEqual(Object.keys(res.body).sort(), ['detail', 'error_code', 'timestamp']);
    assert.equal(res.body.detail, 'Not authenticated');
    assert.equal(res.body.error_code, 'UNAUTHORIZED');
    assert.match(res.body.timestamp, ISO);
  });
});

describe('/user-env-vars', () => {
  test('POST stores a variable; the value comes back only as ***encrypted***', async () => {
    const res = await api.post(
      '/cmb/user-env-vars',
      { key: 'API_KEY', value: 'secret-value-here' },
      { token: alice.token },
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'success');
    assert.deepEqual(Object.keys(res.body.data).sort(), ['created_at', 'key', 'value']);
    assert.equal(res.body.data.key, 'API_KEY');
    assert.equal(res.body.data.value, '***encrypted***');
    assert.match(res.body.data.created_at, ISO);
    assert.ok(!res.text.includes('secret-value-here'));
  });

  test('the value is sealed at rest and never logged', async () => {
    const row = await server.runtime.database.db
      .selectFrom('cmb_env_vars')
      .selectAll()
      .where('key', '=', 'API_KEY')
      .executeTakeFirstOrThrow();
    assert.ok(!row.value_sealed.includes('secret-value-here'));
    assert.match(row.value_sealed, /^v2\./);
    assert.ok(!server.logs.some((line) => line.includes('secret-value-here')));
  });

  test("updating keeps created_at; GET lists the user's own variables only", async () => {
    const first = await api.get('/cmb/user-env-vars', { token: alice.token });
    const created = first.body.data.env_vars[0].created_at;
    await api.post(
      '/cmb/user-env-vars',
      { key: 'API_KEY', value: 'rotated' },
      { token: alice.token },
    );
    await api.post(
      '/cmb/user-env-vars',
      { key: 'DATABASE_URL', value: 'postgres://x' },
      { token: alice.token },
    );
    const res = await api.get('/cmb/user-env-vars', { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.data.env_vars.map((v: { key: string }) => v.key),
      ['API_KEY', 'DATABASE_URL'],
    );
    assert.equal(res.body.data.env_vars[0].created_at, created);
    for (const v of res.body.data.env_vars) {
      assert.deepEqual(Object.keys(v).sort(), ['created_at', 'key', 'value']);
      assert.equal(v.value, '***encrypted***');
    }
    const other = await api.get('/cmb/user-env-vars', { token: bob.token });
    assert.deepEqual(other.body.data.env_vars, []);
  });

  test('keys must be environment-variable names: 400 BAD_REQUEST otherwise', async () => {
    for (const key of ['1ABC', 'A-B', 'HAS SPACE', 'PATH', 'x'.repeat(129), '']) {
      const res = await api.post('/cmb/user-env-vars', { key, value: 'v' }, { token: alice.token });
      assert.equal(res.status, 400, `${key} → ${res.status}`);
      assert.equal(res.body.error_code, 'BAD_REQUEST');
      assertErrorShape('cmbcluster', res, key);
    }
  });

  test("DELETE removes the variable; another user's (or a missing) key is a 404", async () => {
    const theirs = await api.delete('/cmb/user-env-vars/DATABASE_URL', { token: bob.token });
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.error_code, 'NOT_FOUND');
    const res = await api.delete('/cmb/user-env-vars/DATABASE_URL', { token: alice.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'success');
    assert.equal(res.body.message, 'Environment variable deleted');
    const again = await api.delete('/cmb/user-env-vars/DATABASE_URL', { token: alice.token });
    assert.equal(again.status, 404);
  });

  test('bad input: malformed JSON, wrong types, missing/extra fields, oversized, non-JSON', async () => {
    await checkBadInput(
      server.url,
      {
        shape: 'cmbcluster',
        method: 'POST',
        path: '/cmb/user-env-vars',
        valid: { key: 'K', value: 'v' },
        required: ['key', 'value'],
        token: alice.token,
      },
      BODY_LIMIT,
    );
  });
});

describe('GET /activity', () => {
  test("the user's own entries, newest first, with the spec's fields; limit works", async () => {
    const res = await api.get('/cmb/activity', { token: alice.token });
    assert.equal(res.status, 200);
    const activities = res.body.data.activities;
    assert.ok(activities.length >= 4);
    for (const a of activities) {
      assert.deepEqual(Object.keys(a).sort(), [
        'action',
        'details',
        'id',
        'status',
        'timestamp',
        'user_id',
      ]);
      assert.equal(a.status, 'success');
      assert.match(a.timestamp, ISO);
    }
    const me = await api.get('/cmb/users/me', { token: alice.token });
    assert.ok(activities.every((a: { user_id: string }) => a.user_id === me.body.data.id));
    assert.equal(activities[0].action, 'env_var_deleted');
    assert.equal(activities[0].details, 'Deleted environment variable DATABASE_URL');
    const one = await api.get('/cmb/activity?limit=1', { token: alice.token });
    assert.equal(one.body.data.activities.length, 1);
    const bobs = await api.get('/cmb/activity', { token: bob.token });
    assert.deepEqual(bobs.body.data.activities, []);
  });

  test("a bad limit is a 400 in the spec's shape", async () => {
    for (const limit of ['0', '-1', 'abc', '100000']) {
      const res = await api.get(`/cmb/activity?limit=${limit}`, { token: alice.token });
      assert.equal(res.status, 400, limit);
      assertErrorShape('cmbcluster', res, limit);
    }
  });
});

describe('/admin', () => {
  test('403 FORBIDDEN for a non-admin on every admin route', async () => {
    for (const path of ['/cmb/admin/users', '/cmb/admin/environments', '/cmb/admin/activity']) {
      const res = await api.get(path, { token: alice.token });
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error_code, 'FORBIDDEN');
      assertErrorShape('cmbcluster', res, path);
    }
  });

  test("GET /admin/users lists every user with the spec's fields", async () => {
    const res = await api.get('/cmb/admin/users', { token: admin.token });
    assert.equal(res.status, 200);
    const users = res.body.data.users;
    assert.ok(users.length >= 3);
    for (const u of users) {
      assert.deepEqual(Object.keys(u).sort(), [
        'created_at',
        'email',
        'id',
        'role',
        'subscription_tier',
      ]);
    }
    assert.ok(
      users.some(
        (u: { email: string; role: string }) => u.email === admin.email && u.role === 'admin',
      ),
    );
  });

  test("GET /admin/activity: every user's, filtered by user_id, with the default limit", async () => {
    const all = await api.get('/cmb/admin/activity', { token: admin.token });
    assert.equal(all.status, 200);
    const aliceId = (await api.get('/cmb/users/me', { token: alice.token })).body.data.id;
    const filtered = await api.get(`/cmb/admin/activity?user_id=${aliceId}&limit=2`, {
      token: admin.token,
    });
    assert.equal(filtered.body.data.activities.length, 2);
    assert.ok(
      filtered.body.data.activities.every((a: { user_id: string }) => a.user_id === aliceId),
    );
    const unknown = await api.get('/cmb/admin/activity?user_id=nobody', { token: admin.token });
    assert.deepEqual(unknown.body.data.activities, []);
  });

  test("GET /admin/environments answers the spec's envelope", async () => {
    const res = await api.get('/cmb/admin/environments', { token: admin.token });
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body.data.environments));
  });
});

describe('sign-in without a configured provider', () => {
  test("POST /auth/login is a 503 in the spec's shape; password users still get in", async () => {
    const res = await api.post('/cmb/auth/login');
    assert.equal(res.status, 503);
    assert.equal(res.body.error_code, 'SERVICE_UNAVAILABLE');
    assert.equal(res.body.detail, 'OpenID Connect login is not configured');
    assert.equal((await api.get('/cmb/users/me', { token: alice.token })).status, 200);
  });
});

describe('POST /auth/session (beyond the spec): a password session gets the cookie', () => {
  test('the cookie works on its own, is HttpOnly and SameSite=Lax, and ends with the session', async () => {
    const carol = await createUser(api, 'cmbcookie');
    const anonymous = await api.post('/cmb/auth/session');
    assert.equal(anonymous.status, 401);
    assertErrorShape('cmbcluster', anonymous);
    const res = await api.post('/cmb/auth/session', undefined, { token: carol.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'success');
    const setCookie = res.headers.get('set-cookie') ?? '';
    const name = server.runtime.config.auth.sessionCookieName;
    const match = new RegExp(`^${name}=([^;]+);`).exec(setCookie);
    assert.ok(match, setCookie);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Path=\//);
    const cookie = { headers: { cookie: `${name}=${match![1]}` } };
    const me = await api.get('/cmb/users/me', cookie);
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.data.email, carol.email);
    // The cookie's token is of the same session: logging out with the bearer ends it.
    assert.equal((await api.post('/auth/logout', undefined, { token: carol.token })).status, 200);
    assert.equal((await api.get('/cmb/users/me', cookie)).status, 401);
  });
});

describe('health and root', () => {
  test('GET /health: status, version, uptime, timestamp without authentication', async () => {
    const res = await api.get('/cmb/health');
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['status', 'timestamp', 'uptime', 'version']);
    assert.equal(res.body.status, 'healthy');
    assert.equal(res.body.version, '1.0.0');
    assert.equal(typeof res.body.uptime, 'number');
    assert.match(res.body.timestamp, ISO);
  });

  test('GET / names the service and its docs', async () => {
    const res = await api.get('/cmb/');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      service: 'CMBCluster API',
      version: '1.0.0',
      status: 'healthy',
      docs: '/docs',
    });
  });

  test("unknown paths under the mount are 404 in the spec's shape; OpenAPI lists the surface", async () => {
    const res = await api.get('/cmb/nowhere', { token: alice.token });
    assert.equal(res.status, 404);
    assertErrorShape('cmbcluster', res);
    const doc = await api.get('/openapi/cmbcluster.json');
    assert.equal(doc.status, 200);
    assert.ok(doc.body.paths['/users/me']);
    assert.ok(doc.body.paths['/user-env-vars']);
    assert.equal(doc.body.servers[0].url, '/cmb');
  });
});
