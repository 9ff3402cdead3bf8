/**
 * The bad-input matrix on CodeGuide's second-half routes with a body (usage track,
 * codespace track, codespace task create and update, Coolify deploy and credentials,
 * repository analysis): each case a 4xx `{detail}`, never a 5xx, nothing booked, saved,
 * deployed or started.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import {
  BODY_LIMIT,
  type CgEnv,
  type CgUser,
  registerUser,
  startCodeGuide,
  TEXT_MODEL,
} from './support.ts';

const MODEL = `default/${TEXT_MODEL}`;
let env: CgEnv;
let user: CgUser;
let projectId: string;
let taskId: string;

before(async () => {
  env = await startCodeGuide({ workers: 0 });
  user = await registerUser(env.api, 'bad2');
  projectId = (await env.api.post('/v1/projects', { title: 'P', description: 'D' }, user.auth)).body
    .data.id;
  taskId = (
    await env.api.post(
      '/v1/codespace/tasks',
      {
        project_id: projectId,
        repository_url: 'https://git.example.com/a.git',
        task_description: 'x',
      },
      user.auth,
    )
  ).body.id;
});
after(() => env?.close());

test('every part-2 route with a body: the bad-input matrix, 4xx {detail}, never a 5xx', async () => {
  const usage = { model_key: MODEL, input_tokens: 10, output_tokens: 10, call_seconds: 1 };
  const routes = [
    {
      method: 'POST',
      path: '/v1/usage/track',
      valid: usage,
      required: ['model_key', 'input_tokens', 'output_tokens'],
    },
    {
      method: 'POST',
      path: '/v1/usage/codespace/track',
      valid: { codespace_task_id: taskId, ...usage },
      required: ['codespace_task_id', 'model_key', 'input_tokens', 'output_tokens'],
    },
    {
      method: 'POST',
      path: '/v1/codespace/tasks',
      valid: {
        project_id: projectId,
        repository_url: 'https://git.example.com/b.git',
        task_description: 'd',
      },
      required: ['project_id', 'repository_url', 'task_description'],
    },
    {
      method: 'PUT',
      path: `/v1/codespace/tasks/${taskId}`,
      valid: { task_description: 'd' },
      required: [],
    },
    {
      method: 'POST',
      path: '/v1/coolify/deploy',
      valid: { application_id: 'app', environment: 'production', config: { force: false } },
      required: ['application_id'],
    },
    {
      method: 'PUT',
      path: '/v1/coolify/credentials',
      valid: { base_url: 'https://coolify.example.com', token: 'tok' },
      required: ['base_url', 'token'],
    },
    {
      method: 'POST',
      path: '/v1/repository-analysis/analyze',
      valid: {
        repository_url: 'https://git.example.com/c.git',
        generate_documents: false,
        create_codespace_task: false,
        project_id: projectId,
      },
      required: ['repository_url'],
    },
  ] as const;
  for (const route of routes)
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
  const balance = await env.api.get('/v1/usage/credit-balance', user.auth);
  assert.equal(balance.body.total_consumed, 0, 'nothing was booked');
  const tasks = await env.api.get('/v1/codespace/tasks', user.auth);
  assert.equal(tasks.body.data.length, 1, 'nothing was created');
  const coolify = await env.api.get('/v1/coolify/credentials', user.auth);
  assert.equal(coolify.body.configured, false, 'no credentials were saved');
  const analyses = await env.server.runtime.database.db
    .selectFrom('repository_analysis_tasks')
    .select('id')
    .execute();
  assert.deepEqual(analyses, [], 'no analysis was started');
  assert.ok(!env.server.logs.some((line) => line.includes('"level":50')), 'no error was logged');
});
