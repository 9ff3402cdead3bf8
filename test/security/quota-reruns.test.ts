/**
 * Finding 9: re-running finished tasks must count against the daily quota. Codeep's
 * `PUT /v1/tasks/tasks/{id}` with `status: queued` and Task Assistant's PATCH back to
 * `pending` each start a new execution: each takes a unit, atomically with the state
 * change, and past the limit the re-run is refused with the surface's 429 and the task
 * stays as it was.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { client } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createUser } from '../helpers/users.ts';

let server: TestServer;
const LIMIT = 3;

before(async () => {
  // No workers: tasks stay where the test puts them. An AI provider makes TA tasks agent tasks.
  server = await startServer({
    workers: 0,
    env: {
      TASKLANE_DEFAULT_DAILY_LIMIT: String(LIMIT),
      TASKLANE_LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      TASKLANE_LLM_MODEL: 'llama3.1:8b',
    },
  });
});
after(async () => {
  await server?.close();
});

test('Codeep: each PUT back to queued takes a unit; past the limit it is a 429 and nothing changes', async () => {
  const api = client(server.url);
  const user = await createUser(api, 'rerun');
  const quota = async () => (await api.get('/v1/auth/quota', { token: user.token })).body;
  const created = await api.post('/v1/tasks/tasks', { prompt: 'once' }, { token: user.token });
  assert.equal(created.status, 201, created.text);
  const id = created.body.task.task_id;
  const path = `/v1/tasks/tasks/${id}`;
  assert.equal((await quota()).used_today, 1);
  for (let used = 2; used <= LIMIT; used++) {
    assert.equal((await api.put(path, { status: 'completed' }, { token: user.token })).status, 200);
    const rerun = await api.put(path, { status: 'queued' }, { token: user.token });
    assert.equal(rerun.status, 200, rerun.text);
    assert.equal(rerun.body.task.status, 'queued');
    assert.equal((await quota()).used_today, used, 'the re-run was counted');
  }
  assert.equal((await api.put(path, { status: 'completed' }, { token: user.token })).status, 200);
  const refused = await api.put(path, { status: 'queued' }, { token: user.token });
  assert.equal(refused.status, 429, refused.text);
  assert.equal(typeof refused.body.msg, 'string');
  assert.equal((await quota()).used_today, LIMIT);
  const after = await api.get(path, { token: user.token });
  assert.equal(after.body.task.status, 'completed', 'the refused re-run changed nothing');
});

test('Task Assistant: PATCH back to pending (even with a new prompt) is counted the same way', async () => {
  const api = client(server.url);
  const email = `ta_rerun_${Date.now()}@example.com`;
  const password = 'SecureP@ssw0rd123';
  const reg = await api.post('/api/v1/auth/register', {
    email,
    password,
    full_name: 'Re Runner',
    tenant_name: 'Rerun Co',
  });
  assert.equal(reg.status, 201, reg.text);
  const token = (await api.post('/api/v1/auth/login', { email, password })).body.access_token;
  const created = await api.post('/api/v1/tasks', { title: 'first' }, { token });
  assert.equal(created.status, 201, created.text);
  const path = `/api/v1/tasks/${created.body.id}`;
  for (let i = 2; i <= LIMIT; i++) {
    assert.equal((await api.patch(path, { status: 'completed' }, { token })).status, 200);
    const rerun = await api.patch(
      path,
      { status: 'pending', description: `again ${i}` },
      { token },
    );
    assert.equal(rerun.status, 200, rerun.text);
  }
  assert.equal((await api.patch(path, { status: 'completed' }, { token })).status, 200);
  const refused = await api.patch(path, { status: 'pending', title: 'sneaky' }, { token });
  assert.equal(refused.status, 429, refused.text);
  assert.equal(refused.body.error_code, 'QUOTA_EXCEEDED');
  const task = (await api.get(path, { token })).body;
  assert.equal(task.status, 'completed');
  assert.equal(task.title, 'first', 'nothing of the refused update was kept');
});
