/**
 * Codespace task records and codespace models, field by field against the spec's
 * examples: create, get (with deployment and model), list with filters, update
 * (description before start, cancel), delete; another user's ids are 404.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertError,
  type CgEnv,
  type CgUser,
  ISO,
  MISSING_ID,
  PRICE,
  registerUser,
  startCodeGuide,
  TEXT_MODEL,
  UUID,
  VISION_MODEL,
} from './support.ts';

const MODEL = `default/${TEXT_MODEL}`;
const REPO = 'https://git.example.com/acme/app.git';
let env: CgEnv;
let user: CgUser;
let other: CgUser;
let projectId: string;

before(async () => {
  env = await startCodeGuide({ workers: 0 });
  user = await registerUser(env.api, 'cs');
  other = await registerUser(env.api, 'csother');
  projectId = (await env.api.post('/v1/projects', { title: 'P', description: 'D' }, user.auth)).body
    .data.id;
});
after(() => env?.close());

const create = (body: Record<string, unknown>, who = user) =>
  env.api.post(
    '/v1/codespace/tasks',
    { project_id: projectId, repository_url: REPO, task_description: 'Add a README', ...body },
    who.auth,
  );

test('codespace-models lists the catalog with provider, capabilities and pricing', async () => {
  const res = await env.api.get('/v1/codespace-models', user.auth);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.status, 'success');
  assert.deepEqual(
    res.body.data.map((m: { id: string }) => m.id),
    [MODEL, `default/${VISION_MODEL}`],
  );
  assert.deepEqual(res.body.data[0], {
    id: MODEL,
    name: TEXT_MODEL,
    description: `${TEXT_MODEL} by default (131,072-token context)`,
    provider: { id: 'default', name: 'default' },
    capabilities: ['chat', 'streaming'],
    context_window: 131072,
    pricing: {
      input_per_1m: PRICE.input_per_1m,
      cached_input_per_1m: PRICE.input_per_1m,
      output_per_1m: PRICE.output_per_1m,
      per_second: 0,
      currency: 'USD',
    },
  });
  assertError(await env.api.get('/v1/codespace-models'), 401);
});

test('create, get, list, update, cancel, delete: every field of the spec', async () => {
  const res = await create({ model_id: MODEL, deployment_config: { app: 'web' } });
  assert.equal(res.status, 201, res.text);
  const t = res.body;
  assert.match(t.id, UUID);
  assert.match(t.created_at, ISO);
  assert.equal(t.updated_at, t.created_at);
  assert.deepEqual(
    { ...t, id: 'x', created_at: 'x', updated_at: 'x' },
    {
      id: 'x',
      project_id: projectId,
      repository_url: REPO,
      task_description: 'Add a README',
      status: 'pending',
      user_id: user.uuid,
      model_id: MODEL,
      created_at: 'x',
      updated_at: 'x',
      progress: 0,
      error_message: null,
    },
  );

  const got = await env.api.get(`/v1/codespace/tasks/${t.id}`, user.bearer);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.body.deployment, {
    config: { app: 'web' },
    status: 'not_deployed',
    deployment_id: null,
    message: null,
  });
  assert.equal(got.body.model.id, MODEL);
  assert.equal(got.body.model.provider.id, 'default');
  // Not run yet (no workers here): no result, no artifacts.
  assert.equal(got.body.result, null);
  assert.deepEqual(got.body.files, {});
  const { deployment, model, result, files, ...plain } = got.body;
  assert.deepEqual(plain, t);

  const bare = (await create({ task_description: 'Second' })).body;
  const bareGot = await env.api.get(`/v1/codespace/tasks/${bare.id}`, user.auth);
  assert.equal(bareGot.body.deployment, null);
  assert.equal(bareGot.body.model, null);
  assert.equal(bareGot.body.model_id, null);

  const list = await env.api.get('/v1/codespace/tasks', user.auth);
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.status, 'success');
  assert.deepEqual(
    list.body.data.map((x: { id: string }) => x.id),
    [bare.id, t.id],
  );
  assert.deepEqual(list.body.data[1], t);

  const edited = await env.api.put(
    `/v1/codespace/tasks/${t.id}`,
    { task_description: 'Add a LICENSE' },
    user.auth,
  );
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.task_description, 'Add a LICENSE');
  assert.equal(edited.body.status, 'pending');

  assertError(
    await env.api.put(`/v1/codespace/tasks/${t.id}`, { status: 'completed' }, user.auth),
    422,
    /status/,
  );
  const cancelled = await env.api.put(
    `/v1/codespace/tasks/${t.id}`,
    { status: 'cancelled' },
    user.auth,
  );
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.equal(cancelled.body.status, 'cancelled');
  assertError(
    await env.api.put(`/v1/codespace/tasks/${t.id}`, { task_description: 'late' }, user.auth),
    409,
    /before the task starts/,
  );

  const byStatus = await env.api.get('/v1/codespace/tasks?status=cancelled', user.auth);
  assert.deepEqual(
    byStatus.body.data.map((x: { id: string }) => x.id),
    [t.id],
  );
  const otherProject = (
    await env.api.post('/v1/projects', { title: 'Q', description: 'D' }, user.auth)
  ).body.data.id;
  const byProject = await env.api.get(`/v1/codespace/tasks?project_id=${otherProject}`, user.auth);
  assert.deepEqual(byProject.body.data, []);
  assertError(await env.api.get('/v1/codespace/tasks?status=bogus', user.auth), 422, /status/);

  const del = await env.api.delete(`/v1/codespace/tasks/${bare.id}`, user.auth);
  assert.equal(del.status, 200, del.text);
  assert.deepEqual(del.body, { status: 'success', message: 'Codespace task deleted successfully' });
  assertError(await env.api.get(`/v1/codespace/tasks/${bare.id}`, user.auth), 404);
});

test('another user’s task or project is a 404, and their list is empty', async () => {
  const t = (await create({})).body;
  assertError(await env.api.get(`/v1/codespace/tasks/${t.id}`, other.auth), 404);
  assertError(
    await env.api.put(`/v1/codespace/tasks/${t.id}`, { status: 'cancelled' }, other.auth),
    404,
  );
  assertError(await env.api.delete(`/v1/codespace/tasks/${t.id}`, other.auth), 404);
  assertError(await create({}, other), 404, /Project/);
  const theirs = await env.api.get('/v1/codespace/tasks', other.auth);
  assert.deepEqual(theirs.body.data, []);
  const mine = await env.api.get(`/v1/codespace/tasks/${t.id}`, user.auth);
  assert.equal(mine.body.status, 'pending', 'untouched');
  for (const id of [MISSING_ID, 'not-a-uuid', "1' or '1'='1"])
    assertError(await env.api.get(`/v1/codespace/tasks/${encodeURIComponent(id)}`, user.auth), 404);
});

test('repository URLs with credentials, file:// or ssh://, and unknown models are 422', async () => {
  for (const url of [
    'https://user:secret@git.example.com/a.git',
    'https://token@git.example.com/a.git',
    'file:///etc',
    'ssh://git@git.example.com/a.git',
    'git@git.example.com:a.git',
    'not a url',
  ])
    assertError(await create({ repository_url: url }), 422, /repository_url/);
  assertError(await create({ model_id: 'nope/unknown' }), 422, /model_id/);
  const list = await env.api.get(
    `/v1/codespace/tasks?project_id=${projectId}&status=failed`,
    user.auth,
  );
  assert.deepEqual(list.body.data, []);
});
