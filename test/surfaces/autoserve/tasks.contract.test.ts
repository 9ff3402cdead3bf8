/**
 * AutoServe /tasks, field by field against specs/autoserve.md, on a server without
 * workers so tasks stay where the test puts them (runs are in tasks.run.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import {
  type AutoServeUser,
  assertAutoServeError,
  autoserveUser,
  BODY_LIMIT,
  ISO,
  MALFORMED_IDS,
  MISSING_ID,
  UUID,
} from './support.ts';

let server: TestServer;
let api: Client;
let alice: AutoServeUser;
let bob: AutoServeUser;

before(async () => {
  server = await startServer({ env: { TASKLANE_BODY_LIMIT: String(BODY_LIMIT) } });
  api = client(server.url);
  alice = await autoserveUser(api, 'alice');
  bob = await autoserveUser(api, 'bob');
});
after(() => server.close());

const inAnHour = () => new Date(Date.now() + 3600_000).toISOString();
/** The spec's POST /tasks example body (with a schedule in the future). */
const specBody = () => ({
  title: 'Process data',
  description: 'Convert the CSV',
  priority: 'normal',
  scheduled_at: inAnHour(),
  task_type: 'data_processing',
  parameters: { input_file: 'file.csv', output_format: 'json' },
});

async function create(user: AutoServeUser, body: Record<string, unknown> = specBody()) {
  const res = await api.post('/tasks', body, { token: user.token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Moves a task's row (the test stands in for a worker). */
async function setStatus(id: string, status: string, extra: Record<string, unknown> = {}) {
  await server.runtime.database.db
    .updateTable('tasks')
    .set({ status, ...extra })
    .where('id', '=', id)
    .execute();
}

function job(id: string) {
  return server.runtime.database.db
    .selectFrom('jobs')
    .innerJoin('tasks', 'tasks.job_id', 'jobs.id')
    .select(['jobs.priority', 'jobs.run_at', 'jobs.status'])
    .where('tasks.id', '=', id)
    .executeTakeFirstOrThrow();
}

describe('POST /tasks', () => {
  test('201 with exactly the spec example fields, echoing what was sent', async () => {
    const body = specBody();
    const res = await api.post('/tasks', body, { token: alice.token });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'created_at',
      'description',
      'id',
      'parameters',
      'priority',
      'scheduled_at',
      'status',
      'task_type',
      'title',
      'updated_at',
    ]);
    assert.match(res.body.id, UUID);
    assert.equal(res.body.title, body.title);
    assert.equal(res.body.description, body.description);
    assert.equal(res.body.status, 'pending');
    assert.equal(res.body.priority, 'normal');
    assert.match(res.body.created_at, ISO);
    assert.match(res.body.updated_at, ISO);
    assert.equal(Date.parse(res.body.scheduled_at), Date.parse(body.scheduled_at));
    assert.equal(res.body.task_type, 'data_processing');
    assert.deepEqual(res.body.parameters, body.parameters);
    // The job waits in the durable queue until scheduled_at.
    const queued = await job(res.body.id);
    assert.equal(Number(queued.run_at), Date.parse(body.scheduled_at));
    assert.equal(queued.status, 'queued');
  });

  test('defaults: priority normal, no schedule (scheduled_at null), description null', async () => {
    const res = await api.post(
      '/tasks',
      { title: 'Quick', task_type: 'code', parameters: { language: 'bash', source: 'echo hi' } },
      { token: alice.token },
    );
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.priority, 'normal');
    assert.equal(res.body.scheduled_at, null);
    assert.equal(res.body.description, null);
  });

  test('priorities map to the queue order: urgent > high > normal > low', async () => {
    const ranks: Record<string, number> = {};
    for (const priority of ['low', 'normal', 'high', 'urgent']) {
      const task = await create(alice, { ...specBody(), priority });
      ranks[priority] = Number((await job(task.id)).priority);
    }
    assert.ok(
      ranks.urgent! > ranks.high! && ranks.high! > ranks.normal! && ranks.normal! > ranks.low!,
    );
  });

  test('an unknown task_type is 400 VALIDATION_ERROR naming task_type', async () => {
    const res = await api.post(
      '/tasks',
      { ...specBody(), task_type: 'mining' },
      { token: alice.token },
    );
    assertAutoServeError(res, 400, 'VALIDATION_ERROR');
    assert.equal(res.body.error.details.field, 'task_type');
    assert.match(res.body.error.details.issue, /data_processing/);
  });

  test('bad parameters name the parameter', async () => {
    const noFile = await api.post(
      '/tasks',
      { ...specBody(), parameters: { output_format: 'json' } },
      { token: alice.token },
    );
    assertAutoServeError(noFile, 400, 'VALIDATION_ERROR');
    assert.equal(noFile.body.error.details.field, 'parameters.input_file');
    const badFormat = await api.post(
      '/tasks',
      { ...specBody(), parameters: { input_file: 'a.csv', output_format: 'xml' } },
      { token: alice.token },
    );
    assert.equal(badFormat.body.error.details.field, 'parameters.output_format');
  });

  test('scheduled_at unparsable or absurd is 400 naming scheduled_at', async () => {
    for (const value of [
      'tomorrow',
      '2024-13-45T99:00:00Z',
      '3000-01-01T00:00:00Z',
      '1900-01-01T00:00:00Z',
    ]) {
      const res = await api.post(
        '/tasks',
        { ...specBody(), scheduled_at: value },
        { token: alice.token },
      );
      assertAutoServeError(res, 400, 'VALIDATION_ERROR', value);
      assert.equal(res.body.error.details.field, 'scheduled_at', value);
    }
  });

  test('a scheduled_at in the past runs as soon as possible (it is kept as sent)', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const task = await create(alice, { ...specBody(), scheduled_at: past });
    assert.equal(Date.parse(task.scheduled_at), Date.parse(past));
    assert.ok(Number((await job(task.id)).run_at) >= Date.parse(past));
  });

  test('bad input never 5xx', async () => {
    await checkBadInput(
      server.url,
      {
        shape: 'autoserve',
        method: 'POST',
        path: '/tasks',
        valid: specBody(),
        required: ['title', 'task_type'],
        token: alice.token,
      },
      BODY_LIMIT,
    );
  });

  test('401 without a token', async () => {
    assertAutoServeError(await api.post('/tasks', specBody()), 401, 'UNAUTHORIZED');
  });
});

describe('GET /tasks', () => {
  test('{tasks, total, limit, offset}; items carry exactly the list fields; newest first', async () => {
    const user = await autoserveUser(api, 'lister');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await create(user, { ...specBody(), title: `t${i}` })).id);
    const res = await api.get('/tasks', { token: user.token });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['limit', 'offset', 'tasks', 'total']);
    assert.equal(res.body.total, 3);
    assert.equal(res.body.limit, 50);
    assert.equal(res.body.offset, 0);
    assert.deepEqual(
      res.body.tasks.map((t: any) => t.id),
      [...ids].reverse(),
    );
    const item = res.body.tasks[0];
    assert.deepEqual(Object.keys(item).sort(), [
      'completed_at',
      'created_at',
      'description',
      'error',
      'id',
      'priority',
      'result',
      'scheduled_at',
      'status',
      'title',
      'updated_at',
    ]);
    assert.equal(item.status, 'pending');
    assert.equal(item.completed_at, null);
    assert.equal(item.result, null);
    assert.equal(item.error, null);

    const page = await api.get('/tasks?limit=1&offset=1', { token: user.token });
    assert.equal(page.body.total, 3);
    assert.equal(page.body.limit, 1);
    assert.equal(page.body.offset, 1);
    assert.deepEqual(
      page.body.tasks.map((t: any) => t.id),
      [ids[1]],
    );
  });

  test('status filter uses the spec words (pending, running, completed, failed)', async () => {
    const user = await autoserveUser(api, 'filter');
    const a = await create(user);
    const b = await create(user);
    const c = await create(user);
    await setStatus(b.id, 'succeeded', { completed_at: Date.now() });
    await setStatus(c.id, 'failed', { error_message: 'boom', completed_at: Date.now() });
    const ids = async (status: string) =>
      (await api.get(`/tasks?status=${status}`, { token: user.token })).body.tasks.map(
        (t: any) => t.id,
      );
    assert.deepEqual(await ids('pending'), [a.id]);
    assert.deepEqual(await ids('completed'), [b.id]);
    assert.deepEqual(await ids('failed'), [c.id]);
    assert.deepEqual(await ids('running'), []);
    const failed = (await api.get('/tasks?status=failed', { token: user.token })).body.tasks[0];
    assert.equal(failed.error, 'boom');
    assert.match(failed.completed_at, ISO);
  });

  test('limit over 100, negative or huge offset, unknown status: 400', async () => {
    for (const query of [
      'limit=101',
      'limit=0',
      'limit=-1',
      'offset=-1',
      'offset=1e30',
      'limit=abc',
      'status=done',
    ]) {
      const res = await api.get(`/tasks?${query}`, { token: alice.token });
      assertAutoServeError(res, 400, 'VALIDATION_ERROR', query);
    }
    const max = await api.get('/tasks?limit=100', { token: alice.token });
    assert.equal(max.status, 200);
    assert.equal(max.body.limit, 100);
  });

  test("only the caller's tasks are listed", async () => {
    const mine = await create(bob);
    const list = await api.get('/tasks?limit=100', { token: alice.token });
    assert.ok(!list.body.tasks.some((t: any) => t.id === mine.id));
  });
});

describe('GET /tasks/{id}', () => {
  test('every field of the spec example', async () => {
    const task = await create(alice);
    const res = await api.get(`/tasks/${task.id}`, { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'completed_at',
      'created_at',
      'description',
      'error',
      'id',
      'parameters',
      'priority',
      'result',
      'scheduled_at',
      'status',
      'task_type',
      'title',
      'updated_at',
    ]);
    assert.equal(res.body.id, task.id);
    assert.equal(res.body.task_type, 'data_processing');
    assert.deepEqual(res.body.parameters, { input_file: 'file.csv', output_format: 'json' });
    assert.equal(res.body.result, null);
    assert.equal(res.body.error, null);
  });

  test('completed: result and completed_at; the output file gets a download_url', async () => {
    const task = await create(alice);
    const fileId = MISSING_ID;
    await setStatus(task.id, 'succeeded', {
      completed_at: Date.now(),
      result: JSON.stringify({
        output_file: 'processed_data.json',
        records_processed: 1000,
        file_id: fileId,
      }),
    });
    const res = await api.get(`/tasks/${task.id}`, { token: alice.token });
    assert.equal(res.body.status, 'completed');
    assert.match(res.body.completed_at, ISO);
    assert.deepEqual(res.body.result, {
      output_file: 'processed_data.json',
      records_processed: 1000,
      file_id: fileId,
      download_url: `${server.url}/files/${fileId}/download`,
    });
  });

  test("another user's task, an unknown id and malformed ids are 404 NOT_FOUND", async () => {
    const task = await create(alice);
    assertAutoServeError(
      await api.get(`/tasks/${task.id}`, { token: bob.token }),
      404,
      'NOT_FOUND',
    );
    for (const id of [MISSING_ID, ...MALFORMED_IDS])
      assertAutoServeError(
        await api.get(`/tasks/${id}`, { token: alice.token }),
        404,
        'NOT_FOUND',
        id,
      );
  });
});

describe('PUT /tasks/{id}', () => {
  test('changes title, description, priority; answers exactly the spec fields', async () => {
    const task = await create(alice);
    const res = await api.put(
      `/tasks/${task.id}`,
      { title: 'Renamed', description: 'New text', priority: 'high' },
      { token: alice.token },
    );
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'created_at',
      'description',
      'id',
      'priority',
      'status',
      'title',
      'updated_at',
    ]);
    assert.equal(res.body.title, 'Renamed');
    assert.equal(res.body.description, 'New text');
    assert.equal(res.body.priority, 'high');
    assert.equal(res.body.status, 'pending');
    assert.ok(res.body.updated_at >= task.updated_at);
    // The waiting job moved up with it.
    const normal = await create(alice);
    assert.ok(Number((await job(task.id)).priority) > Number((await job(normal.id)).priority));
  });

  test('scheduled_at moves the waiting job', async () => {
    const task = await create(alice);
    const later = new Date(Date.now() + 7200_000).toISOString();
    const res = await api.put(`/tasks/${task.id}`, { scheduled_at: later }, { token: alice.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(Number((await job(task.id)).run_at), Date.parse(later));
    const got = await api.get(`/tasks/${task.id}`, { token: alice.token });
    assert.equal(Date.parse(got.body.scheduled_at), Date.parse(later));
  });

  test('409 CONFLICT once the task is running or finished', async () => {
    for (const status of ['running', 'succeeded', 'failed']) {
      const task = await create(alice);
      await setStatus(task.id, status);
      const res = await api.put(`/tasks/${task.id}`, { title: 'x' }, { token: alice.token });
      assertAutoServeError(res, 409, 'CONFLICT', status);
    }
  });

  test("another user's task is 404; bad input never 5xx", async () => {
    const task = await create(alice);
    assertAutoServeError(
      await api.put(`/tasks/${task.id}`, { title: 'x' }, { token: bob.token }),
      404,
      'NOT_FOUND',
    );
    for (const id of MALFORMED_IDS)
      assertAutoServeError(
        await api.put(`/tasks/${id}`, { title: 'x' }, { token: alice.token }),
        404,
        'NOT_FOUND',
      );
    await checkBadInput(
      server.url,
      {
        shape: 'autoserve',
        method: 'PUT',
        path: `/tasks/${task.id}`,
        valid: { title: 'T', description: 'D', priority: 'high', scheduled_at: inAnHour() },
        required: [],
        token: alice.token,
      },
      BODY_LIMIT,
    );
  });
});

describe('DELETE /tasks/{id}', () => {
  test('{message: "Task cancelled successfully"}; the job is cancelled and the task is gone', async () => {
    const task = await create(alice);
    const res = await api.delete(`/tasks/${task.id}`, { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { message: 'Task cancelled successfully' });
    assertAutoServeError(
      await api.get(`/tasks/${task.id}`, { token: alice.token }),
      404,
      'NOT_FOUND',
    );
    const list = await api.get('/tasks?limit=100', { token: alice.token });
    assert.ok(!list.body.tasks.some((t: any) => t.id === task.id));
    const jobs = await server.runtime.database.db
      .selectFrom('jobs')
      .select('status')
      .where('payload', 'like', `%${task.id}%`)
      .execute();
    assert.deepEqual(
      jobs.map((j) => j.status),
      ['cancelled'],
    );
  });

  test("another user's task is 404 and stays; a second delete is 404", async () => {
    const task = await create(alice);
    assertAutoServeError(
      await api.delete(`/tasks/${task.id}`, { token: bob.token }),
      404,
      'NOT_FOUND',
    );
    assert.equal((await api.get(`/tasks/${task.id}`, { token: alice.token })).status, 200);
    assert.equal((await api.delete(`/tasks/${task.id}`, { token: alice.token })).status, 200);
    assertAutoServeError(
      await api.delete(`/tasks/${task.id}`, { token: alice.token }),
      404,
      'NOT_FOUND',
    );
  });
});

describe('POST /tasks/{id}/retry', () => {
  test('a failed task: {id, status: pending, retry_count: 1, updated_at}; a new job is queued', async () => {
    const task = await create(alice);
    await setStatus(task.id, 'failed', { error_message: 'boom', completed_at: Date.now() });
    const res = await api.post(`/tasks/${task.id}/retry`, undefined, { token: alice.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['id', 'retry_count', 'status', 'updated_at']);
    assert.equal(res.body.id, task.id);
    assert.equal(res.body.status, 'pending');
    assert.equal(res.body.retry_count, 1);
    assert.match(res.body.updated_at, ISO);
    const got = await api.get(`/tasks/${task.id}`, { token: alice.token });
    assert.equal(got.body.error, null);
    assert.equal(got.body.status, 'pending');
    assert.equal((await job(task.id)).status, 'queued');
  });

  test('409 CONFLICT for pending, running, completed and cancelled tasks', async () => {
    for (const status of ['queued', 'running', 'succeeded', 'cancelled']) {
      const task = await create(alice);
      await setStatus(task.id, status);
      const res = await api.post(`/tasks/${task.id}/retry`, undefined, { token: alice.token });
      assertAutoServeError(res, 409, 'CONFLICT', status);
    }
  });

  test("another user's failed task is 404", async () => {
    const task = await create(alice);
    await setStatus(task.id, 'failed');
    assertAutoServeError(
      await api.post(`/tasks/${task.id}/retry`, undefined, { token: bob.token }),
      404,
      'NOT_FOUND',
    );
    for (const id of MALFORMED_IDS)
      assertAutoServeError(
        await api.post(`/tasks/${id}/retry`, undefined, { token: alice.token }),
        404,
        'NOT_FOUND',
      );
  });
});
