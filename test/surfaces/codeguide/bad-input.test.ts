/**
 * The bad-input matrix on every CodeGuide route with a body (malformed JSON, wrong
 * types, missing and extra fields, an oversized body, non-JSON content types): each a
 * 4xx `{detail}`, never a 5xx, nothing written. Plus unknown ids, bad query values
 * and credentials on every route.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import {
  assertError,
  BODY_LIMIT,
  type CgEnv,
  type CgUser,
  MISSING_ID,
  registerUser,
  startCodeGuide,
} from './support.ts';

let env: CgEnv;
let user: CgUser;
let projectId: string;
let groupId: string;
let taskId: string;

before(async () => {
  env = await startCodeGuide({ workers: 0 });
  user = await registerUser(env.api);
  projectId = (await env.api.post('/v1/projects', { title: 'P', description: 'D' }, user.auth)).body
    .data.id;
  groupId = (
    await env.api.post(
      '/v1/task-groups',
      { name: 'G', description: 'D', project_id: projectId },
      user.auth,
    )
  ).body.data.id;
  taskId = (
    await env.api.post(
      '/v1/project-tasks',
      { title: 'T', description: 'D', task_group_id: groupId },
      user.auth,
    )
  ).body.data.id;
});
after(() => env?.close());

const planning = { description: 'd', selected_tools: ['cursor'], answers: { q: 'a' } };

function routes() {
  return [
    {
      method: 'POST',
      path: '/v1/projects',
      valid: { title: 't', description: 'd' },
      required: ['title', 'description'],
    },
    { method: 'PUT', path: `/v1/projects/${projectId}`, valid: { title: 't' }, required: [] },
    {
      method: 'POST',
      path: '/v1/task-groups',
      valid: { name: 'n', description: 'd', project_id: projectId },
      required: ['name', 'description', 'project_id'],
    },
    { method: 'PUT', path: `/v1/task-groups/${groupId}`, valid: { name: 'n' }, required: [] },
    {
      method: 'POST',
      path: '/v1/project-tasks',
      valid: { title: 't', description: 'd', task_group_id: groupId, ordinal: 1 },
      required: ['title', 'description', 'task_group_id'],
    },
    {
      method: 'PUT',
      path: `/v1/project-tasks/${taskId}`,
      valid: { title: 't', ordinal: 2 },
      required: [],
    },
    {
      method: 'POST',
      path: '/v1/generate/refine-prompt',
      valid: { user_prompt: 'p' },
      required: ['user_prompt'],
    },
    {
      method: 'POST',
      path: '/v1/generate/title',
      valid: { description: 'd', is_deep_research: false },
      required: ['description'],
    },
    {
      method: 'POST',
      path: '/v1/generate/questionnaire',
      valid: { project_context: 'c' },
      required: ['project_context'],
    },
    {
      method: 'POST',
      path: '/v1/generate/prd',
      valid: planning,
      required: ['description', 'selected_tools', 'answers'],
    },
    {
      method: 'POST',
      path: '/v1/generate/category',
      valid: { title: 't', existing_categories: ['A'] },
      required: ['title'],
    },
    {
      method: 'POST',
      path: '/v1/generate/outline',
      valid: { ...planning, project_type: 'prd' },
      required: ['project_type', 'description', 'selected_tools', 'answers'],
    },
    {
      method: 'POST',
      path: '/v1/generate/document',
      valid: planning,
      required: ['description', 'selected_tools', 'answers'],
    },
    {
      method: 'POST',
      path: '/v1/generate/multiple-documents',
      valid: { ...planning, project_id: projectId, document_types: ['prd'] },
      required: ['project_id', 'description', 'selected_tools', 'document_types', 'answers'],
    },
    {
      method: 'POST',
      path: '/v1/generate/background',
      valid: { project_id: projectId, document_types: ['prd'] },
      required: ['project_id'],
    },
  ] as const;
}

test('every route with a body: the bad-input matrix, 4xx {detail}, never a 5xx', async () => {
  const calls = env.fixture.requests.length;
  for (const route of routes()) {
    await checkBadInput(
      env.server.url,
      {
        shape: 'codeguide',
        method: route.method,
        path: route.path,
        valid: route.valid as Record<string, unknown>,
        required: [...route.required],
        headers: user.auth.headers as Record<string, string>,
      },
      BODY_LIMIT,
    );
  }
  // Nothing reached the model, nothing was written.
  assert.equal(env.fixture.requests.length, calls);
  const projects = await env.api.get('/v1/projects', user.auth);
  assert.equal(projects.body.data.length, 1);
  assert.equal(projects.body.data[0].title, 'P');
  assert.deepEqual(projects.body.data[0].project_documents, []);
  assert.ok(!env.server.logs.some((line) => line.includes('"level":50')), 'no error was logged');
});

test('every route without credentials is 401 {detail}', async () => {
  for (const route of routes()) {
    const res = await fetch(env.server.url + route.path, {
      method: route.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(route.valid),
    });
    assert.equal(res.status, 401, `${route.method} ${route.path}`);
    assert.deepEqual(Object.keys((await res.json()) as object), ['detail']);
  }
  for (const path of [
    '/v1/projects',
    '/v1/projects/paginated',
    `/v1/projects/${projectId}`,
    '/v1/task-groups',
    '/v1/project-tasks/paginated',
    '/v1/document-types',
    '/v1/ai-tools',
    '/v1/users/me',
    '/v1/notifications',
    `/v1/generate/background/${MISSING_ID}/status`,
  ])
    assertError(await env.api.get(path), 401);
});

test('unknown and malformed ids are 404 on every route that takes one', async () => {
  for (const id of [MISSING_ID, 'not-a-uuid', "1' or '1'='1"]) {
    const e = encodeURIComponent(id);
    for (const res of [
      await env.api.get(`/v1/projects/${e}`, user.auth),
      await env.api.put(`/v1/projects/${e}`, { title: 'x' }, user.auth),
      await env.api.delete(`/v1/projects/${e}`, user.auth),
      await env.api.get(`/v1/task-groups/${e}`, user.auth),
      await env.api.put(`/v1/task-groups/${e}`, { name: 'x' }, user.auth),
      await env.api.delete(`/v1/task-groups/${e}`, user.auth),
      await env.api.get(`/v1/project-tasks/${e}`, user.auth),
      await env.api.put(`/v1/project-tasks/${e}`, { title: 'x' }, user.auth),
      await env.api.delete(`/v1/project-tasks/${e}`, user.auth),
      await env.api.put(`/v1/notifications/${e}/read`, undefined, user.auth),
      await env.api.get(`/v1/generate/background/${e}/status`, user.auth),
      await env.api.post(
        '/v1/task-groups',
        { name: 'n', description: '', project_id: id },
        user.auth,
      ),
      await env.api.post(
        '/v1/project-tasks',
        { title: 't', description: '', task_group_id: id },
        user.auth,
      ),
      await env.api.post(
        '/v1/project-tasks',
        { title: 't', description: '', task_group_id: groupId, parent_task_id: id },
        user.auth,
      ),
      await env.api.put(`/v1/task-groups/${groupId}`, { project_id: id }, user.auth),
      await env.api.put(`/v1/project-tasks/${taskId}`, { task_group_id: id }, user.auth),
      await env.api.post('/v1/generate/background', { project_id: id }, user.auth),
    ])
      assertError(res, 404);
  }
});

test('bad query values are 422 {detail}', async () => {
  for (const path of [
    '/v1/projects/paginated?page_size=101',
    '/v1/projects/paginated?page=-1',
    '/v1/projects/paginated?start_date=2025-1-1',
    '/v1/task-groups/paginated?page_size=1000',
    '/v1/project-tasks/paginated?page_size=abc',
    '/v1/notifications?limit=100000',
  ])
    assertError(await env.api.get(path, user.auth), 422);
});
