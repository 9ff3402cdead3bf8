/**
 * Task Assistant tasks and tenant members against specs/taskassistant-v1.md: with an AI
 * provider (tasks are agent tasks that complete with `result: {output}`) and without one
 * (tasks are manual: pending until a client sets the outcome).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import {
  addMember,
  assertError,
  assertValidation,
  BODY_LIMIT,
  ISO,
  MISSING_ID,
  registerUser,
  startTaskAssistant,
  type TaEnv,
  type TaUser,
  UUID,
  waitFor,
} from './support.ts';

const CREATED_KEYS = ['created_at', 'description', 'due_date', 'id', 'priority', 'status', 'title'];
const SUMMARY_KEYS = [...CREATED_KEYS, 'completed_at'].sort();
const SPEC_EXAMPLE = {
  title: 'Analyze quarterly sales data',
  description: 'Generate insights from Q4 2025 sales data',
  priority: 'high',
  due_date: '2026-02-15T00:00:00Z',
  metadata: { department: 'sales', quarter: 'Q4' },
};

let withLlm: TaEnv;
let manual: TaEnv;
before(async () => {
  [withLlm, manual] = await Promise.all([
    startTaskAssistant({ llm: true }),
    startTaskAssistant({ llm: false }),
  ]);
});
after(async () => {
  await withLlm?.close();
  await manual?.close();
});

async function finished(env: TaEnv, user: TaUser, id: string) {
  return waitFor(`task ${id} to finish`, async () => {
    const res = await env.api.get(`/api/v1/tasks/${id}`, { token: user.token });
    return res.body.status === 'pending' ? undefined : res;
  });
}

describe('with an AI provider: tasks are agent tasks', () => {
  test("POST 201 with exactly the spec's keys; the agent completes it with result {output}", async () => {
    const { api, fixture } = withLlm;
    const user = await registerUser(api);
    const res = await api.post('/api/v1/tasks', SPEC_EXAMPLE, { token: user.token });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), CREATED_KEYS);
    assert.match(res.body.id, UUID);
    assert.equal(res.body.title, SPEC_EXAMPLE.title);
    assert.equal(res.body.description, SPEC_EXAMPLE.description);
    assert.equal(res.body.status, 'pending');
    assert.equal(res.body.priority, 'high');
    assert.match(res.body.due_date, ISO);
    assert.equal(Date.parse(res.body.due_date), Date.parse(SPEC_EXAMPLE.due_date));
    assert.match(res.body.created_at, ISO);

    const done = await finished(withLlm, user, res.body.id);
    assert.equal(done.status, 200);
    assert.equal(done.body.status, 'completed', done.text);
    const prompt = `${SPEC_EXAMPLE.title}\n\n${SPEC_EXAMPLE.description}`;
    assert.deepEqual(done.body.result, { output: `You said: ${prompt}` });
    assert.match(done.body.completed_at, ISO);
    assert.ok(Date.parse(done.body.completed_at) >= Date.parse(done.body.created_at));
    assert.deepEqual(done.body.metadata, SPEC_EXAMPLE.metadata);
    for (const key of CREATED_KEYS)
      if (key !== 'status') assert.equal(done.body[key], res.body[key]);
    // The model saw the title and description, with no tools offered.
    const call = fixture!.requests.find((r) => r.messages.some((m) => m.content === prompt));
    assert.ok(call, 'the fixture received the task as a prompt');
    assert.equal(call.tools, undefined);

    const listed = await api.get('/api/v1/tasks?status=completed', { token: user.token });
    assert.deepEqual(
      listed.body.items.map((t: { id: string }) => t.id),
      [res.body.id],
    );
    assert.deepEqual(Object.keys(listed.body.items[0]).sort(), SUMMARY_KEYS);
    assert.equal(listed.body.items[0].completed_at, done.body.completed_at);
    const pending = await api.get('/api/v1/tasks?status=pending', { token: user.token });
    assert.equal(pending.body.total, 0);
  });

  test('priority defaults to medium; a task with a title only runs on the title', async () => {
    const { api } = withLlm;
    const user = await registerUser(api);
    const res = await api.post('/api/v1/tasks', { title: 'Say hello' }, { token: user.token });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.priority, 'medium');
    assert.equal(res.body.description, null);
    assert.equal(res.body.due_date, null);
    const done = await finished(withLlm, user, res.body.id);
    assert.deepEqual(done.body.result, { output: 'You said: Say hello' });
  });

  test('bad input on POST /tasks and PATCH /tasks/{id}: 4xx in the surface shape', async () => {
    const { api, server } = withLlm;
    const user = await registerUser(api);
    await checkBadInput(
      server.url,
      {
        shape: 'taskassistant',
        method: 'POST',
        path: '/api/v1/tasks',
        token: user.token,
        valid: { ...SPEC_EXAMPLE },
        required: ['title'],
      },
      BODY_LIMIT,
    );
    const task = await api.post('/api/v1/tasks', { title: 'Target' }, { token: user.token });
    await checkBadInput(
      server.url,
      {
        shape: 'taskassistant',
        method: 'PATCH',
        path: `/api/v1/tasks/${task.body.id}`,
        token: user.token,
        valid: {
          title: 'Renamed',
          description: 'More',
          priority: 'low',
          due_date: '2026-03-01T00:00:00Z',
          metadata: { a: 1 },
          status: 'completed',
        },
        required: [],
      },
      BODY_LIMIT,
    );
    for (const body of [{ priority: 'urgent' }, { status: 'running' }, { title: '' }]) {
      const res = await api.patch(`/api/v1/tasks/${task.body.id}`, body, { token: user.token });
      assertValidation(res, ['body', Object.keys(body)[0]!], JSON.stringify(body));
    }
    assertValidation(
      await api.post('/api/v1/tasks', { title: 'x', priority: 'urgent' }, { token: user.token }),
      ['body', 'priority'],
    );
    assertValidation(
      await api.post('/api/v1/tasks', { title: 'x', due_date: 'tomorrow' }, { token: user.token }),
      ['body', 'due_date'],
    );
  });
});

describe('without an AI provider: tasks are manual', () => {
  test('a task stays pending (no job) until PATCH sets completed and a result', async () => {
    const { api, server } = manual;
    const user = await registerUser(api);
    const res = await api.post('/api/v1/tasks', SPEC_EXAMPLE, { token: user.token });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), CREATED_KEYS);
    assert.equal(res.body.status, 'pending');
    const row = await server.runtime.database.db
      .selectFrom('tasks')
      .select(['kind', 'job_id', 'status'])
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...row }, { kind: 'manual', job_id: null, status: 'queued' });

    const got = await api.get(`/api/v1/tasks/${res.body.id}`, { token: user.token });
    assert.equal(got.status, 200);
    assert.equal(got.body.status, 'pending');
    assert.equal(got.body.result, null);
    assert.equal(got.body.completed_at, null);

    const result = { insights: ['Sales increased 15%'], charts: ['chart_url_1'] };
    const patched = await api.patch(
      `/api/v1/tasks/${res.body.id}`,
      { status: 'completed', result },
      { token: user.token },
    );
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.status, 'completed');
    assert.deepEqual(patched.body.result, result);
    assert.match(patched.body.completed_at, ISO);
    const again = await api.get(`/api/v1/tasks/${res.body.id}`, { token: user.token });
    assert.equal(again.body.status, 'completed');
    assert.deepEqual(again.body.result, result);
    assert.equal(again.body.title, SPEC_EXAMPLE.title);
  });

  test('PUT updates fields and status; failed → pending runs it again (result cleared)', async () => {
    const { api } = manual;
    const user = await registerUser(api);
    const task = await api.post('/api/v1/tasks', { title: 'Put me' }, { token: user.token });
    const put = await api.put(
      `/api/v1/tasks/${task.body.id}`,
      { title: 'Put you', priority: 'low', status: 'failed', result: 'nope' },
      { token: user.token },
    );
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.title, 'Put you');
    assert.equal(put.body.priority, 'low');
    assert.equal(put.body.status, 'failed');
    assert.deepEqual(put.body.result, { output: 'nope' });
    const retried = await api.patch(
      `/api/v1/tasks/${task.body.id}`,
      { status: 'pending' },
      { token: user.token },
    );
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.body.status, 'pending');
    assert.equal(retried.body.result, null);
    assert.equal(retried.body.completed_at, null);
  });

  test('pending on a completed task runs it again (docs: "setting pending on a finished task")', async () => {
    const { api } = manual;
    const user = await registerUser(api);
    const task = await api.post('/api/v1/tasks', { title: 'Redo' }, { token: user.token });
    const path = `/api/v1/tasks/${task.body.id}`;
    await api.patch(path, { status: 'completed' }, { token: user.token });
    const res = await api.patch(path, { status: 'pending' }, { token: user.token });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'pending');
  });

  test('filters by status and priority; limit/offset pages; total counts the filter', async () => {
    const { api } = manual;
    const user = await registerUser(api);
    const made: Record<string, { id: string; priority: string; status: string }> = {};
    const plan = [
      ['a', 'low', 'pending'],
      ['b', 'medium', 'completed'],
      ['c', 'high', 'failed'],
      ['d', 'high', 'completed'],
      ['e', 'medium', 'pending'],
    ] as const;
    for (const [title, priority, status] of plan) {
      const res = await api.post('/api/v1/tasks', { title, priority }, { token: user.token });
      assert.equal(res.status, 201);
      if (status !== 'pending')
        await api.patch(`/api/v1/tasks/${res.body.id}`, { status }, { token: user.token });
      made[title] = { id: res.body.id, priority, status };
    }
    /** A list as [titles, total, limit, offset], every item checked against what was made. */
    const page = async (query: string) => {
      const res = await api.get(`/api/v1/tasks${query}`, { token: user.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body).sort(), ['items', 'limit', 'offset', 'total']);
      for (const item of res.body.items) {
        assert.deepEqual(Object.keys(item).sort(), SUMMARY_KEYS);
        assert.equal(item.status, made[item.title]!.status);
        assert.equal(item.priority, made[item.title]!.priority);
      }
      const titles = res.body.items.map((t: { title: string }) => t.title);
      return [titles.sort().join(''), res.body.total, res.body.limit, res.body.offset];
    };
    assert.deepEqual(await page(''), ['abcde', 5, 50, 0]);
    assert.deepEqual(await page('?status=pending'), ['ae', 2, 50, 0]);
    assert.deepEqual(await page('?status=completed'), ['bd', 2, 50, 0]);
    assert.deepEqual(await page('?status=failed'), ['c', 1, 50, 0]);
    assert.deepEqual(await page('?priority=high'), ['cd', 2, 50, 0]);
    assert.deepEqual(await page('?priority=medium'), ['be', 2, 50, 0]);
    assert.deepEqual(await page('?priority=low&status=pending'), ['a', 1, 50, 0]);
    assert.deepEqual(await page('?status=completed&priority=high&limit=1'), ['d', 1, 1, 0]);
    let seen = '';
    for (const offset of [0, 2, 4]) {
      const [titles, total, limit, at] = await page(`?limit=2&offset=${offset}`);
      assert.deepEqual([total, limit, at], [5, 2, offset]);
      seen += titles;
    }
    assert.equal([...seen].sort().join(''), 'abcde');
    assert.deepEqual(await page('?limit=100&offset=5'), ['', 5, 100, 5]);
  });

  test('list parameters out of range are 422 with the query location', async () => {
    const { api } = manual;
    const user = await registerUser(api);
    const queries = ['limit=101', 'limit=0', 'limit=ten', 'offset=-1', 'status=done'];
    for (const query of [...queries, 'status=running', 'priority=urgent']) {
      const res = await api.get(`/api/v1/tasks?${query}`, { token: user.token });
      assertValidation(res, ['query', query.split('=')[0]!], query);
    }
  });

  test('DELETE is 204, then the task is a 404 everywhere', async () => {
    const { api } = manual;
    const user = await registerUser(api);
    const task = await api.post('/api/v1/tasks', { title: 'Bye' }, { token: user.token });
    const path = `/api/v1/tasks/${task.body.id}`;
    const del = await api.delete(path, { token: user.token });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assertError(await api.get(path, { token: user.token }), 404, 'NOT_FOUND');
    assertError(await api.delete(path, { token: user.token }), 404, 'NOT_FOUND');
    assertError(await api.patch(path, { title: 'x' }, { token: user.token }), 404, 'NOT_FOUND');
    assertError(
      await api.get(`/api/v1/tasks/${MISSING_ID}`, { token: user.token }),
      404,
      'NOT_FOUND',
    );
    assertError(await api.get('/api/v1/tasks/not-a-uuid', { token: user.token }), 404, 'NOT_FOUND');
    assert.equal((await api.get('/api/v1/tasks', { token: user.token })).body.total, 0);
    assertError(await api.get('/api/v1/tasks'), 401, 'UNAUTHORIZED');
  });
});

describe('tenant members share the tenant’s tasks', () => {
  test('the admin adds a member; both see, update and delete each other’s tasks', async () => {
    const { api } = manual;
    const admin = await registerUser(api, 'admin');
    const member = await addMember(api, admin);
    assert.equal(member.tenantId, admin.tenantId);
    const listed = await api.get('/api/v1/tenant/members', { token: member.token });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.items.map((u: { email: string; role: string }) => [u.email, u.role]).sort(),
      [
        [admin.email, 'admin'],
        [member.email, 'member'],
      ].sort(),
    );
    assert.equal(listed.body.total, 2);

    const mine = await api.post('/api/v1/tasks', { title: 'Admin’s' }, { token: admin.token });
    const theirs = await api.post('/api/v1/tasks', { title: 'Member’s' }, { token: member.token });
    for (const user of [admin, member]) {
      const list = await api.get('/api/v1/tasks', { token: user.token });
      assert.deepEqual(
        list.body.items.map((t: { id: string }) => t.id).sort(),
        [mine.body.id, theirs.body.id].sort(),
      );
      assert.equal(list.body.total, 2);
    }
    const read = await api.get(`/api/v1/tasks/${mine.body.id}`, { token: member.token });
    assert.equal(read.status, 200);
    assert.equal(read.body.title, 'Admin’s');
    const done = await api.patch(
      `/api/v1/tasks/${mine.body.id}`,
      { status: 'completed', result: { by: 'member' } },
      { token: member.token },
    );
    assert.equal(done.status, 200, done.text);
    const seen = await api.get(`/api/v1/tasks/${mine.body.id}`, { token: admin.token });
    assert.deepEqual(seen.body.result, { by: 'member' });
    const del = await api.delete(`/api/v1/tasks/${theirs.body.id}`, { token: admin.token });
    assert.equal(del.status, 204);

    const outsider = await registerUser(api, 'outsider');
    assert.equal((await api.get('/api/v1/tasks', { token: outsider.token })).body.total, 0);
  });

  test('a member cannot add members (403); a second admin can', async () => {
    const { api } = manual;
    const admin = await registerUser(api, 'admin');
    const member = await addMember(api, admin, 'member');
    const refused = await api.post(
      '/api/v1/tenant/members',
      { email: `x${Date.now()}@example.com`, password: 'SecureP@ssw0rd123' },
      { token: member.token },
    );
    assertError(refused, 403, 'FORBIDDEN');
    const coAdmin = await addMember(api, admin, 'admin');
    const added = await addMember(api, coAdmin, 'member');
    assert.equal(added.tenantId, admin.tenantId);
    const members = await api.get('/api/v1/tenant/members', { token: admin.token });
    assert.equal(members.body.total, 4);
    assertValidation(
      await api.post(
        '/api/v1/tenant/members',
        { email: 'nope', password: 'SecureP@ssw0rd123' },
        { token: admin.token },
      ),
      ['body', 'email'],
    );
    assertError(
      await api.post(
        '/api/v1/tenant/members',
        { email: member.email, password: 'SecureP@ssw0rd123' },
        { token: admin.token },
      ),
      409,
      'CONFLICT',
    );
  });
});
