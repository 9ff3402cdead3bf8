/**
 * Shared set-up for the Codeep task and dashboard contract tests: a server whose AI
 * provider is the OpenAI-compatible fixture (so agent tasks really run through the
 * sandbox when there are workers), the spec's task keys, and polling.
 */
import assert from 'node:assert/strict';
import { type Client, client, type Response } from '../../helpers/http.ts';
import {
  type LlmFixture,
  type LlmFixtureOptions,
  startLlmFixture,
} from '../../helpers/llm-fixture.ts';
import { startServer, type TestServer, type TestServerOptions } from '../../helpers/server.ts';

export const BODY_LIMIT = 8192;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** A well-formed task id that no task has. */
export const MISSING_ID = '01890000-0000-7000-8000-000000000000';
/** Ids that are not task ids at all: each is a 404 "Task not found", like an unknown one. */
export const MALFORMED_IDS = ['not-a-task', '12345', 'x'.repeat(80)];

/** The 201's task: exactly the fields of the spec's example. */
export const CREATED_KEYS = [
  'created_at',
  'prompt',
  'status',
  'task_id',
  'toolset',
  'updated_at',
  'user_id',
];
/** A task as list, get, update and history show it. */
export const TASK_KEYS = [
  ...CREATED_KEYS,
  'completed_at',
  'error_message',
  'result',
  'started_at',
].sort();

export interface CodeepEnv {
  server: TestServer;
  api: Client;
  fixture: LlmFixture;
  close(): Promise<void>;
}

/** A server with the LLM fixture as its default provider (model llama3.1:8b). */
export async function startCodeep(
  options: TestServerOptions & { llm?: LlmFixtureOptions } = {},
): Promise<CodeepEnv> {
  const fixture = await startLlmFixture(options.llm);
  const server = await startServer({
    ...options,
    env: {
      TASKLANE_BODY_LIMIT: String(BODY_LIMIT),
      TASKLANE_LLM_BASE_URL: fixture.baseUrl,
      TASKLANE_LLM_MODEL: 'llama3.1:8b',
      ...options.env,
    },
  });
  return {
    server,
    api: client(server.url),
    fixture,
    async close() {
      await server.close();
      await fixture.close();
    },
  };
}

/** Creates a task through POST /v1/tasks/tasks and returns its id. */
export async function createTask(
  api: Client,
  token: string,
  body: { prompt: string; toolset?: string[] } = { prompt: 'Analyze this dataset' },
): Promise<string> {
  const res = await api.post('/v1/tasks/tasks', body, { token });
  assert.equal(res.status, 201, res.text);
  return res.body.task.task_id;
}

/** PUT /v1/tasks/tasks/{id}, expecting 200; returns the task. */
export async function updateTask(
  api: Client,
  token: string,
  id: string,
  body: Record<string, unknown>,
): Promise<any> {
  const res = await api.put(`/v1/tasks/tasks/${id}`, body, { token });
  assert.equal(res.status, 200, res.text);
  return res.body.task;
}

/** A `{msg, error}` error with this status. */
export function assertCodeepError(res: Response, status: number, context = ''): void {
  assert.equal(res.status, status, `${context} → ${res.status} ${res.text}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, context);
  assert.equal(typeof res.body.msg, 'string', `${context} ${res.text}`);
  assert.ok(res.body.msg.length > 0, context);
  assert.ok('error' in res.body, `${context} ${res.text}`);
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
