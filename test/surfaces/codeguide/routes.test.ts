/**
 * CodeGuide and Codeep share the /v1 mount: no route of one may be a route of the
 * other (same method and the same path shape, parameters compared by position). Each
 * surface is built alone to list its own routes, then both together (which Fastify
 * would refuse on a duplicate). The OpenAPI document lists CodeGuide's paths only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client } from '../../helpers/http.ts';
import { startServer } from '../../helpers/server.ts';

const PLANNING_PATHS = [
  'POST /generate/refine-prompt',
  'POST /generate/title',
  'POST /generate/questionnaire',
  'POST /generate/prd',
  'POST /generate/category',
  'POST /generate/outline',
  'POST /generate/document',
  'POST /generate/multiple-documents',
  'POST /generate/background',
  'GET /generate/background/{job_id}/status',
  'GET /projects',
  'GET /projects/paginated',
  'GET /projects/{project_id}',
  'POST /projects',
  'PUT /projects/{project_id}',
  'DELETE /projects/{project_id}',
  'GET /task-groups',
  'GET /task-groups/paginated',
  'GET /task-groups/{task_group_id}',
  'POST /task-groups',
  'PUT /task-groups/{task_group_id}',
  'DELETE /task-groups/{task_group_id}',
  'GET /project-tasks',
  'GET /project-tasks/paginated',
  'GET /project-tasks/{task_id}',
  'POST /project-tasks',
  'PUT /project-tasks/{task_id}',
  'DELETE /project-tasks/{task_id}',
  'GET /document-types',
  'GET /ai-tools',
  'GET /users/me',
  'GET /notifications',
  'PUT /notifications/{notification_id}/read',
];

/** Part 2 (issue 14): with the 33 above, the spec's 58 endpoints. */
const PART_2_PATHS = [
  'POST /codespace/tasks',
  'GET /codespace/tasks/{task_id}',
  'GET /codespace/tasks',
  'PUT /codespace/tasks/{task_id}',
  'DELETE /codespace/tasks/{task_id}',
  'POST /repository-analysis/analyze',
  'GET /repository-analysis/tasks/{task_id}',
  'GET /repository-analysis/tasks/{task_id}/result',
  'GET /repository-analysis/repositories',
  'GET /repository-analysis/repositories/{repo_id}',
  'DELETE /repository-analysis/repositories/{repo_id}',
  'POST /usage/track',
  'GET /usage/credit-balance',
  'GET /usage/credit-check',
  'GET /usage/summary',
  'GET /usage/authorization',
  'GET /usage/free-user-status',
  'GET /usage/calculate',
  'POST /usage/codespace/track',
  'GET /usage/codespace/task/{codespace_task_id}',
  'GET /usage/health',
  'GET /api-usage-logs',
  'GET /codespace-models',
  'GET /coolify/applications',
  'POST /coolify/deploy',
];
const SPEC_PATHS = [...PLANNING_PATHS, ...PART_2_PATHS];

async function routesOf(enabled: 'codeep' | 'codeguide'): Promise<Set<string>> {
  const server = await startServer({
    env: {
      TASKLANE_SURFACE_CODEEP_ENABLED: String(enabled === 'codeep'),
      TASKLANE_SURFACE_CODEGUIDE_ENABLED: String(enabled === 'codeguide'),
      TASKLANE_SURFACE_TASKASSISTANT_ENABLED: 'false',
      TASKLANE_SURFACE_AUTOSERVE_ENABLED: 'false',
      TASKLANE_SURFACE_CMBCLUSTER_ENABLED: 'false',
    },
  });
  try {
    const shapes = new Set<string>();
    for (const route of server.built.routes) {
      if (!route.url.startsWith('/v1/')) continue;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      // /v1/x/:id and /v1/x/:other are the same route to the router.
      const shape = route.url.replace(/:[^/]+/g, ':param').replace(/\/$/, '');
      for (const method of methods) if (method !== 'HEAD') shapes.add(`${method} ${shape}`);
    }
    return shapes;
  } finally {
    await server.close();
  }
}

test('no CodeGuide route collides with a Codeep route under /v1', async () => {
  const codeep = await routesOf('codeep');
  const codeguide = await routesOf('codeguide');
  assert.ok(codeep.size >= 10, `codeep routes: ${[...codeep].join(', ')}`);
  assert.ok(codeguide.size >= SPEC_PATHS.length, [...codeguide].join(', '));
  const shared = [...codeguide].filter((route) => codeep.has(route));
  assert.deepEqual(shared, [], `routes on both surfaces: ${shared.join(', ')}`);
});

test('both surfaces mount at /v1 together, and /openapi/codeguide.json lists CodeGuide', async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    const doc = await api.get('/openapi/codeguide.json');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.1.0');
    assert.deepEqual(doc.body.servers, [{ url: '/v1' }]);
    const listed = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((route) => !route.startsWith('HEAD '));
    assert.equal(new Set(SPEC_PATHS).size, 58, 'the spec documents 58 endpoints');
    for (const route of SPEC_PATHS) assert.ok(listed.includes(route), `${route} not listed`);
    // Codeep's paths are in Codeep's document, not CodeGuide's.
    assert.ok(!listed.some((route) => route.includes('/tasks/tasks')), listed.join(', '));
    const codeep = await api.get('/openapi/codeep.json');
    assert.ok('/tasks/tasks' in codeep.body.paths);
    assert.ok(!('/projects' in codeep.body.paths));
  } finally {
    await server.close();
  }
});

test("404s before routing under CodeGuide's paths are CodeGuide's {detail}; Codeep keeps its own", async () => {
  const server = await startServer();
  try {
    const api = client(server.url);
    for (const path of ['/v1/projects/a/b/c', '/v1/generate/poem', '/v1/notifications/x/y/z']) {
      const res = await api.get(path);
      assert.equal(res.status, 404, path);
      assert.deepEqual(Object.keys(res.body), ['detail'], `${path}: ${res.text}`);
    }
    const codeep = await api.get('/v1/tasks/nowhere/at/all');
    assert.equal(codeep.status, 404);
    assert.equal(typeof codeep.body.msg, 'string', codeep.text);
  } finally {
    await server.close();
  }
});
