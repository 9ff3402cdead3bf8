/**
 * AutoServe task_type `agent`: the core's agent runner through the OpenAI-compatible
 * LLM fixture, with the prompt from parameters.prompt (or the description) and an
 * optional parameters.toolset; bad agent parameters name their field.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Client, client } from '../../helpers/http.ts';
import { type LlmFixture, startLlmFixture } from '../../helpers/llm-fixture.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import {
  type AutoServeUser,
  assertAutoServeError,
  autoserveUser,
  waitForStatus,
} from './support.ts';

let fixture: LlmFixture;
let server: TestServer;
let api: Client;
let user: AutoServeUser;

before(async () => {
  fixture = await startLlmFixture();
  server = await startServer({
    workers: 1,
    env: { TASKLANE_LLM_BASE_URL: fixture.baseUrl, TASKLANE_LLM_MODEL: 'llama3.1:8b' },
  });
  api = client(server.url);
  user = await autoserveUser(api, 'agent');
});
after(async () => {
  await server?.close();
  await fixture?.close();
});

test('an agent task with a prompt and a toolset runs to completion', async () => {
  const created = await api.post(
    '/tasks',
    {
      title: 'Ask',
      task_type: 'agent',
      parameters: { prompt: 'What is six times seven?', toolset: ['calculator'] },
    },
    { token: user.token },
  );
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.task_type, 'agent');
  const done = await waitForStatus(api, user.token, created.body.id, ['completed', 'failed']);
  assert.equal(done.status, 'completed', done.error);
  assert.match(JSON.stringify(done.result), /42/);
  const call = fixture.requests.find((r) =>
    r.messages.some((m) => m.content === 'What is six times seven?'),
  );
  assert.deepEqual(
    call?.tools?.map((t) => t.function.name),
    ['calculator'],
  );
});

test('without parameters.prompt the description is the prompt', async () => {
  const created = await api.post(
    '/tasks',
    { title: 'Describe', description: 'Say hello', task_type: 'agent' },
    { token: user.token },
  );
  assert.equal(created.status, 201, created.text);
  const done = await waitForStatus(api, user.token, created.body.id, ['completed', 'failed']);
  assert.equal(done.status, 'completed', done.error);
  assert.ok(fixture.requests.some((r) => r.messages.some((m) => m.content === 'Say hello')));
});

test('no prompt, an unknown tool, a toolset that is not a list: 400 naming the field', async () => {
  const none = await api.post('/tasks', { title: 'x', task_type: 'agent' }, { token: user.token });
  assertAutoServeError(none, 400, 'VALIDATION_ERROR');
  assert.equal(none.body.error.details.field, 'parameters.prompt');
  const unknown = await api.post(
    '/tasks',
    { title: 'x', task_type: 'agent', parameters: { prompt: 'p', toolset: ['teleport'] } },
    { token: user.token },
  );
  assertAutoServeError(unknown, 400, 'VALIDATION_ERROR');
  assert.equal(unknown.body.error.details.field, 'parameters.toolset');
  const notList = await api.post(
    '/tasks',
    { title: 'x', task_type: 'agent', parameters: { prompt: 'p', toolset: 'calculator' } },
    { token: user.token },
  );
  assertAutoServeError(notList, 400, 'VALIDATION_ERROR');
  assert.equal(notList.body.error.details.field, 'parameters.toolset');
});
