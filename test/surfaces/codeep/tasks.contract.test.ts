/**
 * Codeep task management (POST/GET/PUT/DELETE /v1/tasks/tasks[/{task_id}]), field by
 * field against specs/codeep-v1.md, on a server without workers so tasks stay where a
 * test puts them. Results, queue status and quota are in results.contract.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import { request } from '../../helpers/http.ts';
import { createUser, type TestUser } from '../../helpers/users.ts';
import {
  assertCodeepError,
  BODY_LIMIT,
  type CodeepEnv,
  CREATED_KEYS,
  createTask,
  ISO,
  MALFORMED_IDS,
  MISSING_ID,
  startCodeep,
  TASK_KEYS,
  updateTask,
} from './support.ts';

/** The spec's Python SDK example. */
const SPEC_TASK = {
  prompt: 'Analyze this dataset and create a visualization',
  toolset: ['code_executor', 'file_reader'],
};

let env: CodeepEnv;
let user: TestUser;
before(async () => {
  env = await startCodeep({ workers: 0 });
  user = await createUser(env.api, 'tasks');
});
after(() => env?.close());

const get = (id: string, token = user.token) => env.api.get(`/v1/tasks/tasks/${id}`, { token });
const quotaUsed = async (token: string) =>
  (await env.api.get('/v1/auth/quota', { token })).body.used_today as number;

describe('POST /v1/tasks/tasks', () => {
  test("201 with the message and exactly the created task's fields", async () => {
    const res = await env.api.post('/v1/tasks/tasks', SPEC_TASK, { token: user.token });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), ['message', 'task']);
    assert.equal(res.body.message, 'Task created successfully');
    const task = res.body.task;
    assert.deepEqual(Object.keys(task).sort(), CREATED_KEYS);
    assert.equal(typeof task.task_id, 'string');
    assert.ok(task.task_id.length > 0);
    assert.equal(task.user_id, user.id);
    assert.ok(Number.isInteger(task.user_id));
    assert.equal(task.prompt, SPEC_TASK.prompt);
    assert.deepEqual(task.toolset, SPEC_TASK.toolset);
    assert.equal(task.status, 'queued');
    assert.match(task.created_at, ISO);
    assert.match(task.updated_at, ISO);
    assert.ok(Math.abs(Date.parse(task.created_at) - Date.now()) < 60_000);

    const got = await get(task.task_id);
    assert.equal(got.status, 200);
    assert.deepEqual(Object.keys(got.body), ['task']);
    assert.deepEqual(Object.keys(got.body.task).sort(), TASK_KEYS);
    for (const key of CREATED_KEYS) assert.deepEqual(got.body.task[key], task[key], key);
    for (const key of ['result', 'error_message', 'started_at', 'completed_at'])
      assert.equal(got.body.task[key], null, key);
  });

  test('toolset is optional: an empty one by default', async () => {
    const res = await env.api.post(
      '/v1/tasks/tasks',
      { prompt: 'Generate a report from this data' },
      { token: user.token },
    );
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(res.body.task.toolset, []);
  });

  test('400 without a prompt, with an empty or blank one; nothing is created', async () => {
    const listed = async () => (await env.api.get('/v1/tasks/tasks', { token: user.token })).body;
    const before = await listed();
    const used = await quotaUsed(user.token);
    const missing = await env.api.post(
      '/v1/tasks/tasks',
      { toolset: ['calculator'] },
      { token: user.token },
    );
    assertCodeepError(missing, 400, 'missing prompt');
    assert.equal(missing.body.msg, 'Missing required fields');
    assert.match(JSON.stringify(missing.body.error), /prompt/);
    for (const prompt of ['', '   ']) {
      const res = await env.api.post('/v1/tasks/tasks', { prompt }, { token: user.token });
      assertCodeepError(res, 400, JSON.stringify(prompt));
    }
    assert.deepEqual(await listed(), before);
    assert.equal(await quotaUsed(user.token), used);
  });

  test('400 for an unknown tool name, naming it; no task and no quota used', async () => {
    const used = await quotaUsed(user.token);
    const res = await env.api.post(
      '/v1/tasks/tasks',
      { prompt: 'Go somewhere', toolset: ['code_executor', 'teleport'] },
      { token: user.token },
    );
    assertCodeepError(res, 400);
    assert.match(`${res.body.msg} ${JSON.stringify(res.body.error)}`, /teleport/);
    assert.doesNotMatch(res.body.msg, /code_executor/);
    assert.equal(await quotaUsed(user.token), used);
    const listed = await env.api.get('/v1/tasks/tasks', { token: user.token });
    assert.ok(!listed.body.tasks.some((t: { prompt: string }) => t.prompt === 'Go somewhere'));
  });

  test('bad input is a 4xx in {msg, error}, never a 5xx', async () => {
    await checkBadInput(
      env.server.url,
      {
        shape: 'codeep',
        method: 'POST',
        path: '/v1/tasks/tasks',
        token: user.token,
        valid: { prompt: 'Analyze', toolset: ['calculator'] },
        required: ['prompt'],
      },
      BODY_LIMIT,
    );
  });
});

describe('GET /v1/tasks/tasks', () => {
  test("200 with the user's own tasks only, every documented field, newest first", async () => {
    const owner = await createUser(env.api, 'lister');
    const other = await createUser(env.api, 'other');
    const first = await createTask(env.api, owner.token, { prompt: 'first' });
    const second = await createTask(env.api, owner.token, {
      prompt: 'second',
      toolset: ['calculator'],
    });
    await createTask(env.api, other.token, { prompt: 'not yours' });
    await updateTask(env.api, owner.token, first, { status: 'completed', result: 'ok' });

    const res = await env.api.get('/v1/tasks/tasks', { token: owner.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['tasks']);
    assert.deepEqual(
      res.body.tasks.map((t: { task_id: string }) => t.task_id),
      [second, first],
    );
    for (const task of res.body.tasks) {
      assert.deepEqual(Object.keys(task).sort(), TASK_KEYS);
      assert.equal(task.user_id, owner.id);
      assert.match(task.created_at, ISO);
      assert.match(task.updated_at, ISO);
    }
    const [newer, older] = res.body.tasks;
    assert.deepEqual(
      { prompt: newer.prompt, toolset: newer.toolset, status: newer.status, result: newer.result },
      { prompt: 'second', toolset: ['calculator'], status: 'queued', result: null },
    );
    assert.deepEqual(
      { prompt: older.prompt, status: older.status, result: older.result },
      { prompt: 'first', status: 'completed', result: 'ok' },
    );
    assert.match(older.completed_at, ISO);
    assert.equal(newer.completed_at, null);
  });
});

describe('GET /v1/tasks/tasks/{task_id}', () => {
  test('404 for an unknown id and for a malformed one, in {msg, error}', async () => {
    for (const id of [MISSING_ID, ...MALFORMED_IDS]) {
      const res = await get(id);
      assertCodeepError(res, 404, id);
      assert.equal(res.body.msg, 'Task not found');
    }
  });
});

describe('PUT /v1/tasks/tasks/{task_id}', () => {
  test('changes status, result, error_message, started_at and completed_at', async () => {
    const id = await createTask(env.api, user.token);
    const created = (await get(id)).body.task;

    const processing = await env.api.put(
      `/v1/tasks/tasks/${id}`,
      { status: 'processing' },
      { token: user.token },
    );
    assert.equal(processing.status, 200, processing.text);
    assert.deepEqual(Object.keys(processing.body).sort(), ['message', 'task']);
    assert.equal(processing.body.message, 'Task updated successfully');
    let task = processing.body.task;
    assert.deepEqual(Object.keys(task).sort(), TASK_KEYS);
    assert.equal(task.status, 'processing');
    assert.match(task.started_at, ISO);
    assert.equal(task.completed_at, null);
    assert.ok(Date.parse(task.updated_at) >= Date.parse(created.updated_at));

    task = await updateTask(env.api, user.token, id, {
      status: 'completed',
      result: 'The dataset has 3 columns',
      started_at: '2025-06-01T12:00:00+02:00',
      completed_at: '2025-06-01T10:30:00Z',
    });
    assert.equal(task.status, 'completed');
    assert.equal(task.result, 'The dataset has 3 columns');
    assert.equal(task.started_at, '2025-06-01T10:00:00.000Z');
    assert.equal(task.completed_at, '2025-06-01T10:30:00.000Z');

    task = await updateTask(env.api, user.token, id, { error_message: 'Chart skipped' });
    assert.equal(task.error_message, 'Chart skipped');
    assert.equal(task.status, 'completed', 'fields left out are left alone');
    assert.equal(task.result, 'The dataset has 3 columns');

    const got = (await get(id)).body.task;
    assert.deepEqual(got, task);
    for (const key of ['task_id', 'user_id', 'prompt', 'toolset', 'created_at'])
      assert.deepEqual(got[key], created[key], key);
  });

  test('a terminal status without completed_at is stamped with the time it was set', async () => {
    const id = await createTask(env.api, user.token);
    const before = Date.now();
    const task = await updateTask(env.api, user.token, id, {
      status: 'failed',
      error_message: 'Out of memory',
    });
    assert.equal(task.status, 'failed');
    assert.equal(task.error_message, 'Out of memory');
    assert.equal(task.result, null);
    assert.match(task.completed_at, ISO);
    assert.ok(Date.parse(task.completed_at) >= before - 1000);
  });

  test('400 on a bad status word or a bad date; the task is unchanged', async () => {
    const id = await createTask(env.api, user.token);
    const original = (await get(id)).body.task;
    const bodies = [
      { status: 'done' },
      { status: 'cancelled' },
      { status: 'COMPLETED' },
      { status: 'running' },
      { started_at: 'yesterday' },
      { started_at: '2025-13-01T00:00:00Z' },
      { completed_at: '2025-02-30T10:00:00Z' },
      { completed_at: 1735689600 },
    ];
    for (const body of bodies) {
      const res = await env.api.put(`/v1/tasks/tasks/${id}`, body, { token: user.token });
      assertCodeepError(res, 400, JSON.stringify(body));
    }
    assert.deepEqual((await get(id)).body.task, original);
  });

  test('404 for an unknown or malformed id', async () => {
    for (const id of [MISSING_ID, ...MALFORMED_IDS]) {
      const res = await env.api.put(
        `/v1/tasks/tasks/${id}`,
        { status: 'completed' },
        { token: user.token },
      );
      assertCodeepError(res, 404, id);
    }
  });

  test('bad input is a 4xx in {msg, error}, never a 5xx', async () => {
    const id = await createTask(env.api, user.token);
    await checkBadInput(
      env.server.url,
      {
        shape: 'codeep',
        method: 'PUT',
        path: `/v1/tasks/tasks/${id}`,
        token: user.token,
        valid: {
          status: 'completed',
          result: 'done',
          error_message: 'none',
          started_at: '2025-01-01T00:00:00Z',
          completed_at: '2025-01-01T00:05:00Z',
        },
        required: [],
      },
      BODY_LIMIT,
    );
    assert.equal((await get(id)).body.task.status, 'queued');
  });
});

describe('DELETE /v1/tasks/tasks/{task_id}', () => {
  test('200 with the message; the task is gone from get, list and delete', async () => {
    const id = await createTask(env.api, user.token);
    const res = await env.api.delete(`/v1/tasks/tasks/${id}`, { token: user.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { message: 'Task deleted successfully' });
    assertCodeepError(await get(id), 404);
    assertCodeepError(await env.api.delete(`/v1/tasks/tasks/${id}`, { token: user.token }), 404);
    const listed = await env.api.get('/v1/tasks/tasks', { token: user.token });
    assert.ok(!listed.body.tasks.some((t: { task_id: string }) => t.task_id === id));
  });

  test('404 for an unknown or malformed id', async () => {
    for (const id of [MISSING_ID, ...MALFORMED_IDS])
      assertCodeepError(
        await env.api.delete(`/v1/tasks/tasks/${id}`, { token: user.token }),
        404,
        id,
      );
  });
});

describe('authentication and ownership', () => {
  test('401 without a token, with a malformed header or a bad token on every route', async () => {
    const id = await createTask(env.api, user.token);
    const routes: [string, string, unknown?][] = [
      ['POST', '/v1/tasks/tasks', { prompt: 'x' }],
      ['GET', '/v1/tasks/tasks'],
      ['GET', `/v1/tasks/tasks/${id}`],
      ['PUT', `/v1/tasks/tasks/${id}`, { status: 'failed' }],
      ['DELETE', `/v1/tasks/tasks/${id}`],
      ['GET', `/v1/tasks/tasks/${id}/results`],
      ['GET', '/v1/tasks/queue/status'],
      ['GET', '/v1/auth/quota'],
      ['GET', '/v1/auth/quota/validate'],
    ];
    const variants: Record<string, string>[] = [
      {},
      { authorization: `Token ${user.token}` },
      { authorization: 'Bearer not.a.jwt' },
      { authorization: `Bearer ${user.token.slice(0, -4)}AAAA` },
    ];
    for (const [method, path, body] of routes) {
      for (const headers of variants) {
        const res = await request(env.server.url, method, path, body, { headers });
        assertCodeepError(res, 401, `${method} ${path} ${JSON.stringify(headers)}`);
      }
    }
    const still = await get(id);
    assert.equal(still.status, 200);
    assert.equal(still.body.task.status, 'queued');
  });

  test("another user's task is a 404 on every task route, and stays as it was", async () => {
    const owner = await createUser(env.api, 'owner');
    const intruder = await createUser(env.api, 'intruder');
    const id = await createTask(env.api, owner.token, { prompt: 'private' });
    await updateTask(env.api, owner.token, id, { status: 'completed', result: 'secret' });
    const original = (await get(id, owner.token)).body.task;
    const t = { token: intruder.token };
    const attempts = [
      await env.api.get(`/v1/tasks/tasks/${id}`, t),
      await env.api.put(`/v1/tasks/tasks/${id}`, { result: 'overwritten' }, t),
      await env.api.delete(`/v1/tasks/tasks/${id}`, t),
      await env.api.get(`/v1/tasks/tasks/${id}/results`, t),
    ];
    for (const res of attempts) {
      assertCodeepError(res, 404);
      assert.equal(res.body.msg, 'Task not found');
      assert.doesNotMatch(res.text, /secret/);
    }
    const listed = await env.api.get('/v1/tasks/tasks', t);
    assert.deepEqual(listed.body.tasks, []);
    assert.deepEqual((await get(id, owner.token)).body.task, original);
  });
});
