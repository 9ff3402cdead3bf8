/**
 * CodeGuide projects, task groups and project tasks, following the spec's examples
 * field by field: `{status: "success", data}` envelopes, pagination, filters, relations
 * (`project_documents`, `category`, `codie_tool`, `project_tasks`, `subtasks`), deletes
 * that take their children, and every credential form the spec names.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertError,
  type CgEnv,
  type CgUser,
  ISO,
  MISSING_ID,
  registerUser,
  startCodeGuide,
  UUID,
} from './support.ts';

let env: CgEnv;
let user: CgUser;

before(async () => {
  env = await startCodeGuide({ workers: 0 });
  user = await registerUser(env.api);
});
after(() => env?.close());

const PROJECT_FIELDS = ['id', 'title', 'description', 'user_id', 'created_at', 'updated_at'];

function assertProject(p: Record<string, any>, expected: { title: string; description: string }) {
  for (const field of PROJECT_FIELDS) assert.ok(field in p, `project lacks ${field}`);
  assert.match(p.id, UUID);
  assert.equal(p.title, expected.title);
  assert.equal(p.description, expected.description);
  assert.equal(p.user_id, user.uuid);
  assert.match(p.created_at, ISO);
  assert.match(p.updated_at, ISO);
}

test('the spec credentials: X-API-Key + X-User-ID, Bearer JWT; neither → 401 {detail}', async () => {
  const byKey = await env.api.get('/v1/projects', user.auth);
  assert.equal(byKey.status, 200, byKey.text);
  assert.deepEqual(byKey.body, { status: 'success', data: [] });
  const byJwt = await env.api.get('/v1/projects', user.bearer);
  assert.equal(byJwt.status, 200);
  assertError(await env.api.get('/v1/projects'), 401);
  assertError(
    await env.api.get('/v1/projects', { headers: { 'x-api-key': 'tl_wrong', 'x-user-id': '1' } }),
    401,
  );
  // X-User-ID must be the key's owner.
  assertError(
    await env.api.get('/v1/projects', {
      headers: { 'x-api-key': user.apiKey, 'x-user-id': String(user.id + 1000) },
    }),
    401,
  );
  const me = await env.api.get('/v1/users/me', user.auth);
  assert.deepEqual(Object.keys(me.body).sort(), [
    'created_at',
    'email',
    'id',
    'name',
    'updated_at',
  ]);
  assert.equal(me.body.email, user.email);
  assert.equal(me.body.name, user.username);
  assert.match(me.body.id, UUID);
  assert.match(me.body.created_at, ISO);
  assert.match(me.body.updated_at, ISO);
});

test('catalogs: document types and AI tools, active, ordered, filterable', async () => {
  const types = await env.api.get('/v1/document-types', user.auth);
  assert.equal(types.status, 200);
  assert.equal(types.body.status, 'success');
  assert.ok(types.body.data.length >= 5);
  for (const t of types.body.data) {
    assert.deepEqual(Object.keys(t).sort(), [
      'created_at',
      'description',
      'id',
      'is_active',
      'key',
      'name',
      'ordinal',
      'updated_at',
    ]);
    assert.equal(t.is_active, true);
    assert.equal(typeof t.ordinal, 'number');
    assert.match(t.created_at, ISO);
  }
  const ordinals = types.body.data.map((t: any) => t.ordinal);
  assert.deepEqual(
    ordinals,
    [...ordinals].sort((x: number, y: number) => x - y),
  );
  const prd = await env.api.get('/v1/document-types?key=prd', user.auth);
  assert.deepEqual(
    prd.body.data.map((t: any) => t.key),
    ['prd'],
  );
  const tools = await env.api.get('/v1/ai-tools', user.auth);
  assert.ok(tools.body.data.length >= 3);
  for (const tool of tools.body.data) {
    assert.equal(typeof tool.category, 'string');
    assert.equal(tool.is_active, true);
  }
  const ides = await env.api.get('/v1/ai-tools?category=ide', user.auth);
  assert.ok(ides.body.data.length > 0);
  assert.ok(ides.body.data.every((t: any) => t.category === 'ide'));
  const cursor = await env.api.get('/v1/ai-tools?key=cursor', user.auth);
  assert.deepEqual(
    cursor.body.data.map((t: any) => t.key),
    ['cursor'],
  );
});

test('projects: create, get with relations, update, list, delete', async () => {
  const tools = (await env.api.get('/v1/ai-tools?key=cursor', user.auth)).body.data;
  const body = {
    title: 'Recipe planner',
    description: 'Plan weekly meals from a pantry',
    codie_tool_id: tools[0].id,
    tools_selected: ['cursor', 'v0'],
    ai_questionaire: { audience: 'families' },
    project_outline: { sections: ['intro'] },
    github_url: 'https://github.com/example/recipes',
  };
  const created = await env.api.post('/v1/projects', body, user.auth);
  assert.equal(created.status, 201, created.text);
  assert.deepEqual(Object.keys(created.body), ['status', 'data']);
  assert.equal(created.body.status, 'success');
  assertProject(created.body.data, body);
  assert.equal(created.body.data.status, 'active');
  assert.deepEqual(created.body.data.tools_selected, ['cursor', 'v0']);
  const id = created.body.data.id;

  const got = await env.api.get(`/v1/projects/${id}`, user.bearer);
  assert.equal(got.status, 200);
  assertProject(got.body.data, body);
  assert.deepEqual(got.body.data.project_documents, []);
  assert.equal(got.body.data.category, null);
  assert.equal(got.body.data.codie_tool.key, 'cursor');
  assert.equal(got.body.data.codie_tool.category, 'ide');
  assert.deepEqual(got.body.data.ai_questionaire, { audience: 'families' });

  const updated = await env.api.put(
    `/v1/projects/${id}`,
    { title: 'Meal planner', status: 'in_progress' },
    user.auth,
  );
  assert.equal(updated.status, 200, updated.text);
  assertProject(updated.body.data, { title: 'Meal planner', description: body.description });
  assert.equal(updated.body.data.status, 'in_progress');
  assert.ok(updated.body.data.updated_at >= created.body.data.updated_at);

  const list = await env.api.get('/v1/projects', user.auth);
  assert.ok(list.body.data.some((p: any) => p.id === id));
  const listed = list.body.data.find((p: any) => p.id === id);
  for (const field of [...PROJECT_FIELDS, 'project_documents', 'category', 'codie_tool'])
    assert.ok(field in listed, `listed project lacks ${field}`);

  const removed = await env.api.delete(`/v1/projects/${id}`, user.auth);
  assert.equal(removed.status, 200);
  assert.deepEqual(removed.body, { status: 'success', message: 'Project deleted successfully' });
  assertError(await env.api.get(`/v1/projects/${id}`, user.auth), 404, /Project not found/);
  assertError(await env.api.delete(`/v1/projects/${id}`, user.auth), 404);
});

test('projects: references are checked (422), unknown ids are 404', async () => {
  const base = { title: 'x', description: 'y' };
  assertError(
    await env.api.post('/v1/projects', { ...base, category_id: MISSING_ID }, user.auth),
    422,
    /category_id/,
  );
  assertError(
    await env.api.post('/v1/projects', { ...base, tools_selected: ['no-such-tool'] }, user.auth),
    422,
    /no-such-tool/,
  );
  assertError(await env.api.post('/v1/projects', { ...base, title: '   ' }, user.auth), 422);
  assertError(await env.api.get(`/v1/projects/${MISSING_ID}`, user.auth), 404);
  assertError(await env.api.get('/v1/projects/not-a-uuid', user.auth), 404);
  const created = await env.api.post('/v1/projects', base, user.auth);
  assertError(
    await env.api.put(`/v1/projects/${created.body.data.id}`, { status: 'bogus' }, user.auth),
    422,
    /status/,
  );
});

test('projects/paginated: page, page_size, search_query, status, dates, sort', async () => {
  const owner = await registerUser(env.api, 'pager');
  const titles = ['Alpha garden app', 'Beta budget tool', 'Gamma garden planner', '100% done'];
  for (const title of titles) {
    const res = await env.api.post(
      '/v1/projects',
      { title, description: `About ${title}` },
      owner.auth,
    );
    assert.equal(res.status, 201);
  }
  const first = await env.api.get('/v1/projects/paginated?page=1&page_size=3', owner.auth);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(Object.keys(first.body), ['status', 'data', 'pagination']);
  assert.deepEqual(first.body.pagination, { total: 4, page: 1, page_size: 3, total_pages: 2 });
  assert.equal(first.body.data.length, 3);
  // Newest first by default.
  assert.equal(first.body.data[0].title, '100% done');
  const second = await env.api.get('/v1/projects/paginated?page=2&page_size=3', owner.auth);
  assert.equal(second.body.data.length, 1);
  assert.equal(second.body.data[0].title, 'Alpha garden app');
  const asc = await env.api.get('/v1/projects/paginated?sort_by_date=asc', owner.auth);
  assert.equal(asc.body.data[0].title, 'Alpha garden app');
  assert.equal(asc.body.pagination.page_size, 10);

  const garden = await env.api.get('/v1/projects/paginated?search_query=GARDEN', owner.auth);
  assert.deepEqual(garden.body.data.map((p: any) => p.title).sort(), [
    'Alpha garden app',
    'Gamma garden planner',
  ]);
  // LIKE wildcards in the query are literal.
  const percent = await env.api.get('/v1/projects/paginated?search_query=100%25', owner.auth);
  assert.deepEqual(
    percent.body.data.map((p: any) => p.title),
    ['100% done'],
  );
  const none = await env.api.get('/v1/projects/paginated?search_query=_', owner.auth);
  assert.equal(none.body.pagination.total, 0);
  assert.equal(none.body.pagination.total_pages, 0);

  const today = new Date().toISOString().slice(0, 10);
  const dated = await env.api.get(
    `/v1/projects/paginated?start_date=${today}&end_date=${today}`,
    owner.auth,
  );
  assert.equal(dated.body.pagination.total, 4);
  const past = await env.api.get(
    '/v1/projects/paginated?start_date=2000-01-01&end_date=2000-12-31',
    owner.auth,
  );
  assert.equal(past.body.pagination.total, 0);
  const status = await env.api.get('/v1/projects/paginated?status=archived', owner.auth);
  assert.equal(status.body.pagination.total, 0);
  const active = await env.api.get('/v1/projects/paginated?status=active', owner.auth);
  assert.equal(active.body.pagination.total, 4);

  for (const bad of [
    'page_size=101',
    'page_size=0',
    'page=0',
    'page=abc',
    'start_date=2024-02-30',
    'end_date=2024-13-01',
    'start_date=yesterday',
    'sort_by_date=sideways',
  ])
    assertError(await env.api.get(`/v1/projects/paginated?${bad}`, owner.auth), 422);
});

test('task groups and project tasks: CRUD, relations, filters, cascade on delete', async () => {
  const project = (
    await env.api.post('/v1/projects', { title: 'Board', description: 'A board' }, user.auth)
  ).body.data;
  const groupRes = await env.api.post(
    '/v1/task-groups',
    { name: 'Backend', description: 'Server work', project_id: project.id },
    user.auth,
  );
  assert.equal(groupRes.status, 201, groupRes.text);
  const group = groupRes.body.data;
  assert.deepEqual(Object.keys(group).sort(), [
    'created_at',
    'description',
    'id',
    'name',
    'project_id',
    'updated_at',
    'user_id',
  ]);
  assert.equal(group.project_id, project.id);
  assert.equal(group.user_id, user.uuid);

  const taskRes = await env.api.post(
    '/v1/project-tasks',
    { title: 'Schema', description: 'Design tables', task_group_id: group.id, ordinal: 2 },
    user.auth,
  );
  assert.equal(taskRes.status, 201, taskRes.text);
  const task = taskRes.body.data;
  assert.deepEqual(Object.keys(task).sort(), [
    'created_at',
    'description',
    'id',
    'ordinal',
    'parent_task_id',
    'status',
    'task_group_id',
    'title',
    'updated_at',
    'user_id',
  ]);
  assert.equal(task.status, 'pending');
  assert.equal(task.ordinal, 2);
  assert.equal(task.parent_task_id, null);
  const sub = (
    await env.api.post(
      '/v1/project-tasks',
      {
        title: 'Indexes',
        description: 'Pick indexes',
        task_group_id: group.id,
        parent_task_id: task.id,
      },
      user.auth,
    )
  ).body.data;
  assert.equal(sub.parent_task_id, task.id);
  assert.equal(sub.ordinal, 0);

  const gotTask = await env.api.get(`/v1/project-tasks/${task.id}`, user.auth);
  assert.deepEqual(
    gotTask.body.data.subtasks.map((t: any) => t.id),
    [sub.id],
  );
  const gotGroup = await env.api.get(`/v1/task-groups/${group.id}`, user.auth);
  assert.deepEqual(
    gotGroup.body.data.project_tasks.map((t: any) => t.id).sort(),
    [sub.id, task.id].sort(),
  );

  const children = await env.api.get(`/v1/project-tasks?parent_task_id=${task.id}`, user.auth);
  assert.deepEqual(
    children.body.data.map((t: any) => t.id),
    [sub.id],
  );
  const done = await env.api.put(`/v1/project-tasks/${sub.id}`, { status: 'completed' }, user.auth);
  assert.equal(done.body.data.status, 'completed');
  const completed = await env.api.get('/v1/project-tasks?status=completed', user.auth);
  assert.deepEqual(
    completed.body.data.map((t: any) => t.id),
    [sub.id],
  );
  assertError(
    await env.api.put(`/v1/project-tasks/${task.id}`, { parent_task_id: sub.id }, user.auth),
    422,
    /nested under itself/,
  );
  assertError(
    await env.api.put(`/v1/project-tasks/${task.id}`, { status: 'nope' }, user.auth),
    422,
  );
  const paged = await env.api.get(
    `/v1/project-tasks/paginated?task_group_id=${group.id}&search_query=index&page_size=1`,
    user.auth,
  );
  assert.deepEqual(paged.body.pagination, { total: 1, page: 1, page_size: 1, total_pages: 1 });
  assert.equal(paged.body.data[0].id, sub.id);

  const groups = await env.api.get(`/v1/task-groups/paginated?project_id=${project.id}`, user.auth);
  assert.deepEqual(groups.body.pagination, { total: 1, page: 1, page_size: 10, total_pages: 1 });
  assert.equal(groups.body.data[0].project_tasks.length, 2);
  const renamed = await env.api.put(`/v1/task-groups/${group.id}`, { name: 'API' }, user.auth);
  assert.equal(renamed.body.data.name, 'API');
  assert.equal(renamed.body.data.description, 'Server work');

  const delTask = await env.api.delete(`/v1/project-tasks/${task.id}`, user.auth);
  assert.deepEqual(delTask.body, {
    status: 'success',
    message: 'Project task deleted successfully',
  });
  // The subtask went with its parent.
  assertError(await env.api.get(`/v1/project-tasks/${sub.id}`, user.auth), 404);

  const again = (
    await env.api.post(
      '/v1/project-tasks',
      { title: 'Again', description: '', task_group_id: group.id },
      user.auth,
    )
  ).body.data;
  const delProject = await env.api.delete(`/v1/projects/${project.id}`, user.auth);
  assert.equal(delProject.status, 200);
  // Deleting the project deleted its groups and their tasks.
  assertError(await env.api.get(`/v1/task-groups/${group.id}`, user.auth), 404);
  assertError(await env.api.get(`/v1/project-tasks/${again.id}`, user.auth), 404);
  const gone = await env.api.delete(`/v1/task-groups/${group.id}`, user.auth);
  assertError(gone, 404, /Task group not found/);
});

test('another user gets 404 for every id and sees nothing in lists', async () => {
  const other = await registerUser(env.api, 'other');
  const project = (
    await env.api.post('/v1/projects', { title: 'Mine', description: 'secret' }, user.auth)
  ).body.data;
  const group = (
    await env.api.post(
      '/v1/task-groups',
      { name: 'G', description: '', project_id: project.id },
      user.auth,
    )
  ).body.data;
  const task = (
    await env.api.post(
      '/v1/project-tasks',
      { title: 'T', description: '', task_group_id: group.id },
      user.auth,
    )
  ).body.data;
  const o = other.auth;
  for (const res of [
    await env.api.get(`/v1/projects/${project.id}`, o),
    await env.api.put(`/v1/projects/${project.id}`, { title: 'stolen' }, o),
    await env.api.delete(`/v1/projects/${project.id}`, o),
    await env.api.get(`/v1/task-groups/${group.id}`, o),
    await env.api.put(`/v1/task-groups/${group.id}`, { name: 'stolen' }, o),
    await env.api.delete(`/v1/task-groups/${group.id}`, o),
    await env.api.post(
      '/v1/task-groups',
      { name: 'x', description: '', project_id: project.id },
      o,
    ),
    await env.api.get(`/v1/project-tasks/${task.id}`, o),
    await env.api.put(`/v1/project-tasks/${task.id}`, { title: 'stolen' }, o),
    await env.api.delete(`/v1/project-tasks/${task.id}`, o),
    await env.api.post(
      '/v1/project-tasks',
      { title: 'x', description: '', task_group_id: group.id },
      o,
    ),
  ])
    assertError(res, 404);
  for (const path of ['/v1/projects', '/v1/task-groups', '/v1/project-tasks'])
    assert.deepEqual((await env.api.get(path, o)).body.data, []);
  assert.equal(
    (await env.api.get(`/v1/task-groups/paginated?project_id=${project.id}`, o)).body.pagination
      .total,
    0,
  );
  // Nothing changed.
  const still = await env.api.get(`/v1/projects/${project.id}`, user.auth);
  assert.equal(still.body.data.title, 'Mine');
  assert.equal((await env.api.get(`/v1/project-tasks/${task.id}`, user.auth)).body.data.title, 'T');
});

test('search_query is served by a trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL)', async () => {
  const owner = await registerUser(env.api, 'searcher');
  for (const title of ['Orchard tracker', 'Ab', 'Snake_case 50% off'])
    await env.api.post('/v1/projects', { title, description: 'x' }, owner.auth);
  const titles = async (q: string) =>
    (
      await env.api.get(`/v1/projects/paginated?search_query=${encodeURIComponent(q)}`, owner.auth)
    ).body.data.map((p: any) => p.title);
  assert.deepEqual(await titles('ORCHARD'), ['Orchard tracker']);
  assert.deepEqual(await titles('ab'), ['Ab']); // shorter than a trigram: still found
  assert.deepEqual(await titles('e_c'), ['Snake_case 50% off']);
  assert.deepEqual(await titles('50%'), ['Snake_case 50% off']);
  assert.deepEqual(await titles('e%c'), []);
  // After an update and a delete the index follows.
  const [orchard] = (await env.api.get('/v1/projects', owner.auth)).body.data.filter(
    (p: any) => p.title === 'Orchard tracker',
  );
  await env.api.put(`/v1/projects/${orchard.id}`, { title: 'Vineyard tracker' }, owner.auth);
  assert.deepEqual(await titles('orchard'), []);
  assert.deepEqual(await titles('vineyard'), ['Vineyard tracker']);
  await env.api.delete(`/v1/projects/${orchard.id}`, owner.auth);
  assert.deepEqual(await titles('tracker'), []);

  const { db, dialect } = env.server.runtime.database;
  if (dialect === 'sqlite') {
    const { sql } = await import('kysely');
    const plan = await sql<{ detail: string }>`explain query plan select id from projects
      where rowid in (select rowid from projects_fts where search_text like '%orchard%')`.execute(
      db,
    );
    assert.ok(
      plan.rows.some((r) => /VIRTUAL TABLE INDEX 0:L/.test(r.detail)),
      JSON.stringify(plan.rows),
    );
  } else {
    const indexes = await db
      .selectFrom('pg_indexes' as never)
      .select(['indexname' as never])
      .where('tablename' as never, 'in', ['projects', 'project_tasks'] as never)
      .execute();
    const names = indexes.map((r: any) => r.indexname);
    assert.ok(names.includes('projects_search'), names.join(', '));
    assert.ok(names.includes('project_tasks_search'), names.join(', '));
  }
});
