/** AutoServe /metrics/system, /metrics/tasks (field by field) and its OpenAPI document. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { type AutoServeUser, assertAutoServeError, autoserveUser, ISO } from './support.ts';

let server: TestServer;
let api: Client;
let alice: AutoServeUser;
let bob: AutoServeUser;

before(async () => {
  server = await startServer();
  api = client(server.url);
  alice = await autoserveUser(api, 'malice');
  bob = await autoserveUser(api, 'mbob');
});
after(() => server.close());

const percent = (x: unknown, label: string) =>
  assert.ok(typeof x === 'number' && x >= 0 && x <= 100, `${label}: ${x}`);

describe('GET /metrics/system', () => {
  test('the spec fields with real figures of this host and server', async () => {
    for (let i = 0; i < 3; i++) await api.get('/users/me', { token: alice.token });
    const res = await api.get('/metrics/system', { token: alice.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'active_connections',
      'cpu_usage',
      'disk_usage',
      'error_rate',
      'memory_usage',
      'network_io',
      'request_rate',
      'timestamp',
    ]);
    assert.match(res.body.timestamp, ISO);
    percent(res.body.cpu_usage, 'cpu');
    percent(res.body.memory_usage, 'memory');
    assert.ok(res.body.memory_usage > 0, 'some memory is in use');
    percent(res.body.disk_usage, 'disk');
    assert.ok(res.body.disk_usage > 0, 'the data directory holds a database');
    assert.deepEqual(Object.keys(res.body.network_io).sort(), ['bytes_received', 'bytes_sent']);
    assert.ok(Number.isInteger(res.body.network_io.bytes_sent));
    assert.ok(res.body.network_io.bytes_received > 0, 'this request came over loopback');
    assert.ok(res.body.active_connections >= 1);
    // At least the registrations, logins and the three calls above, over 60 s.
    assert.ok(res.body.request_rate >= 7 / 60, `request_rate ${res.body.request_rate}`);
    assert.equal(res.body.error_rate, 0);
  });

  test('401 without a token', async () => {
    assertAutoServeError(await api.get('/metrics/system'), 401, 'UNAUTHORIZED');
  });
});

describe('GET /metrics/tasks', () => {
  test("the spec fields, counting the caller's own tasks", async () => {
    const create = (user: AutoServeUser) =>
      api.post(
        '/tasks',
        { title: 't', task_type: 'code', parameters: { language: 'bash', source: 'true' } },
        { token: user.token },
      );
    const a1 = await create(alice);
    await create(alice);
    await create(bob);
    const now = Date.now();
    await server.runtime.database.db
      .updateTable('tasks')
      .set({ status: 'succeeded', started_at: now - 4000, completed_at: now })
      .where('id', '=', a1.body.id)
      .execute();
    const res = await api.get('/metrics/tasks', { token: alice.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'average_processing_time',
      'queue_depth',
      'tasks_completed',
      'tasks_failed',
      'tasks_pending',
      'tasks_running',
      'tasks_total',
      'throughput',
      'timestamp',
      'worker_count',
    ]);
    assert.match(res.body.timestamp, ISO);
    assert.equal(res.body.tasks_total, 2);
    assert.equal(res.body.tasks_pending, 1);
    assert.equal(res.body.tasks_running, 0);
    assert.equal(res.body.tasks_completed, 1);
    assert.equal(res.body.tasks_failed, 0);
    assert.equal(res.body.average_processing_time, 4);
    assert.equal(res.body.queue_depth, 1);
    assert.equal(res.body.worker_count, 0, 'this server runs no workers');
    assert.equal(res.body.throughput, 0.2, 'one task in the last five minutes');
    const bobs = await api.get('/metrics/tasks', { token: bob.token });
    assert.equal(bobs.body.tasks_total, 1);
  });

  test('401 without a token', async () => {
    assertAutoServeError(await api.get('/metrics/tasks'), 401, 'UNAUTHORIZED');
  });
});

describe('/openapi/autoserve.json', () => {
  test("lists exactly the surface's routes, with /health, /info, /metrics and /ws/events", async () => {
    const res = await api.get('/openapi/autoserve.json');
    assert.equal(res.status, 200);
    // /ml/... paths belong to the ML controller, built beside this surface.
    const paths = Object.keys(res.body.paths)
      .filter((p) => !p.startsWith('/ml/'))
      .sort();
    assert.deepEqual(paths, [
      '/auth/login',
      '/auth/logout',
      '/auth/refresh',
      '/files/upload',
      '/files/{file_id}',
      '/files/{file_id}/download',
      '/health',
      '/info',
      '/metrics',
      '/metrics/system',
      '/metrics/tasks',
      '/tasks',
      '/tasks/{task_id}',
      '/tasks/{task_id}/retry',
      '/users/me',
      '/users/register',
      '/ws/events',
    ]);
    const methods = (p: string) =>
      Object.keys(res.body.paths[p])
        .filter((k) => k !== 'servers')
        .sort();
    assert.deepEqual(methods('/tasks'), ['get', 'post']);
    assert.deepEqual(methods('/tasks/{task_id}'), ['delete', 'get', 'put']);
    assert.deepEqual(res.body.paths['/health'].servers, [{ url: '/' }]);
    const created =
      res.body.paths['/tasks'].post.responses['201'].content['application/json'].schema;
    assert.ok(created.properties.task_type && created.properties.scheduled_at);
    const upload = res.body.paths['/files/upload'].post;
    assert.deepEqual(
      upload.requestBody.content['multipart/form-data'].schema.required,
      ['file'],
      'the upload form is documented',
    );
    assert.ok(upload.responses['200'], 'beside the generated responses');
    const health = await api.get('/health');
    assert.equal(health.status, 200);
    const info = await api.get('/info');
    for (const key of ['name', 'version', 'description', 'environment'])
      assert.equal(typeof info.body[key], 'string', key);
  });
});
