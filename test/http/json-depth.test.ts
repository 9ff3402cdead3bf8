/**
 * JSON bodies nested past TASKLANE_JSON_MAX_DEPTH (64) are a 4xx in each surface's error
 * shape, not the 500 a stack overflow used to make (Task Assistant's free-form
 * `metadata` was walked by JSON.stringify). Bodies at the limit still work.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertErrorShape, type SurfaceShape } from '../helpers/error-shapes.ts';
import { type Client, client } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createUser, type TestUser } from '../helpers/users.ts';

let server: TestServer;
let api: Client;
let user: TestUser;
before(async () => {
  server = await startServer();
  api = client(server.url);
  user = await createUser(api, 'deep');
});
after(() => server.close());

/** `n` arrays inside one another. */
const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

/** A route per surface, and where a deeply nested value goes in its body. */
const ROUTES: { shape: SurfaceShape; status: number; path: string; body: (v: string) => string }[] =
  [
    {
      shape: 'taskassistant',
      status: 422,
      path: '/api/v1/tasks',
      body: (v) => `{"title":"t","metadata":{"x":${v}}}`,
    },
    { shape: 'codeep', status: 400, path: '/v1/tasks/tasks', body: (v) => `{"prompt":${v}}` },
    {
      shape: 'autoserve',
      status: 400,
      path: '/auth/login',
      body: (v) => `{"username":${v},"password":"x"}`,
    },
    // No route at all: the body is parsed (and refused) before the 404.
    { shape: 'autoserve', status: 400, path: '/no/such/route', body: (v) => `{"x":${v}}` },
  ];

for (const route of ROUTES) {
  test(`POST ${route.path}: JSON nested 5,000 and 100,000 deep → ${route.status} in ${route.shape}'s shape`, async () => {
    for (const depth of [5_000, 100_000]) {
      const res = await api.post(route.path, undefined, {
        raw: route.body(nested(depth)),
        contentType: 'application/json',
        token: user.token,
      });
      const where = `${route.path} depth ${depth}`;
      assertErrorShape(route.shape, res, where);
      assert.equal(res.status, route.status, `${where}: ${res.text}`);
      assert.match(res.text, /nested more than 64 levels deep/, where);
    }
  });
}

test('a body at the depth limit is accepted; brackets inside strings do not count', async () => {
  // The body object, metadata and the value: 2 + 62 = 64 levels.
  const atLimit = await api.post('/api/v1/tasks', undefined, {
    raw: `{"title":"t","metadata":{"x":${nested(62)},"s":"${'['.repeat(500)}\\"{{"}}`,
    contentType: 'application/json',
    token: user.token,
  });
  assert.equal(atLimit.status, 201, atLimit.text);
  const stored = await api.get(`/api/v1/tasks/${atLimit.body.id}`, { token: user.token });
  assert.equal(stored.body.metadata.s, `${'['.repeat(500)}"{{`);
  assert.equal(JSON.stringify(stored.body.metadata.x), nested(62));
  const overLimit = await api.post('/api/v1/tasks', undefined, {
    raw: `{"title":"t","metadata":{"x":${nested(63)}}}`,
    contentType: 'application/json',
    token: user.token,
  });
  assertErrorShape('taskassistant', overLimit, 'one level over');
  assert.equal(overLimit.status, 422);
  assert.deepEqual(overLimit.body.detail[0].loc, ['body']);
});

test('no stack overflow was logged', () => {
  assert.ok(!server.logs.some((line) => line.includes('Maximum call stack')));
});
