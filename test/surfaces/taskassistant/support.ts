/**
 * Shared set-up for the Task Assistant contract tests: a server with (or without) the
 * OpenAI-compatible fixture as `openai` (so the spec's `openai` + `gpt-4` examples run
 * unchanged), users registered through the surface, an SSE reader over real fetch, and
 * polling.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { HostResolver } from '../../../src/core/shared/net-guard.ts';
import { makeTempDir } from '../../helpers/db.ts';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client, type Response } from '../../helpers/http.ts';
import {
  type FixtureRequest,
  type LlmFixture,
  startLlmFixture,
} from '../../helpers/llm-fixture.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';

export const BODY_LIMIT = 8192;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** A well-formed id that no row has. */
export const MISSING_ID = '01890000-0000-7000-8000-000000000000';

/** USD per 1M tokens for the fixture's model, so costs are not zero. */
export const PRICE = { input_per_1m: 30, output_per_1m: 60 };

export interface TaEnv {
  server: TestServer;
  api: Client;
  fixture: LlmFixture | undefined;
  close(): Promise<void>;
}

/** A server; with `llm` the fixture is provider `openai` (default model llama3.1:8b, gpt-4 an alias). */
export async function startTaskAssistant(
  options: { llm: boolean; env?: Record<string, string>; resolver?: HostResolver } = {
    llm: true,
  },
): Promise<TaEnv> {
  const fixture = options.llm ? await startLlmFixture() : undefined;
  const env: Record<string, string> = {
    TASKLANE_BODY_LIMIT: String(BODY_LIMIT),
    TASKLANE_CREDITS_FREE: '1000000',
    ...options.env,
  };
  if (fixture) {
    const catalog = path.join(makeTempDir('tasklane-catalog-'), 'catalog.json');
    fs.writeFileSync(
      catalog,
      JSON.stringify({
        models: [
          {
            key: 'openai/llama3.1:8b',
            provider: 'openai',
            name: 'llama3.1:8b',
            capabilities: ['chat', 'tools', 'streaming'],
            context_window: 131072,
            pricing: { ...PRICE, cached_input_per_1m: PRICE.input_per_1m, per_second: 0 },
          },
        ],
      }),
    );
    Object.assign(env, {
      TASKLANE_PROVIDER_OPENAI_BASE_URL: fixture.baseUrl,
      TASKLANE_PROVIDER_OPENAI_MODEL: 'llama3.1:8b',
      TASKLANE_MODEL_ALIASES: 'gpt-4=llama3.1:8b',
      TASKLANE_MODEL_CATALOG: catalog,
    });
  }
  const server = await startServer({ workers: 2, env, resolver: options.resolver });
  return {
    server,
    api: client(server.url),
    fixture,
    async close() {
      await server.close();
      await fixture?.close();
    },
  };
}

export interface TaUser {
  id: string;
  tenantId: string;
  email: string;
  password: string;
  token: string;
}

let counter = 0;
const uniqueEmail = (prefix: string) =>
  `${prefix}${++counter}_${Math.random().toString(36).slice(2, 8)}@example.com`;

async function loginAs(api: Client, email: string, password: string): Promise<string> {
  const login = await api.post('/api/v1/auth/login', { email, password });
  assert.equal(login.status, 200, login.text);
  return login.body.access_token;
}

/** Registers a user (and so a new tenant, which the user administers) and logs in. */
export async function registerUser(api: Client, prefix = 'ta'): Promise<TaUser> {
  const email = uniqueEmail(prefix);
  const password = 'SecureP@ssw0rd123';
  const reg = await api.post('/api/v1/auth/register', {
    email,
    password,
    full_name: `${prefix} user`,
    tenant_name: `${prefix} tenant`,
  });
  assert.equal(reg.status, 201, reg.text);
  return {
    id: reg.body.id,
    tenantId: reg.body.tenant_id,
    email,
    password,
    token: await loginAs(api, email, password),
  };
}

/** Adds a user to the admin's tenant through POST /tenant/members and logs them in. */
export async function addMember(
  api: Client,
  admin: TaUser,
  role: 'admin' | 'member' = 'member',
): Promise<TaUser> {
  const email = uniqueEmail('member');
  const password = 'SecureP@ssw0rd123';
  const res = await api.post(
    '/api/v1/tenant/members',
    { email, password, full_name: 'A Member', role },
    { token: admin.token },
  );
  assert.equal(res.status, 201, res.text);
  return {
    id: res.body.id,
    tenantId: res.body.tenant_id,
    email,
    password,
    token: await loginAs(api, email, password),
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe().catch((error: unknown) => {
      last = error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface SseResult {
  status: number;
  contentType: string;
  events: Record<string, any>[];
  /** How many network chunks the body arrived in (more than one: it was streamed). */
  chunks: number;
}

/**
 * POSTs with fetch and reads the body stream as it arrives, splitting it into SSE
 * events (blank-line separated) and parsing each `data:` line as JSON.
 */
export async function postSse(
  base: string,
  path: string,
  body: unknown,
  token: string,
): Promise<SseResult> {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify(body),
  });
  const contentType = res.headers.get('content-type') ?? '';
  const events: Record<string, any>[] = [];
  let chunks = 0;
  let buffer = '';
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    chunks += 1;
    buffer += value;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) events.push(JSON.parse(data));
    }
  }
  assert.equal(buffer.trim(), '', 'the stream ends on an event boundary');
  return { status: res.status, contentType, events, chunks };
}

/** A `{detail, error_code, timestamp}` error with this status and code. */
export function assertError(res: Response, status: number, code: string, context = ''): void {
  assert.equal(res.status, status, `${context} ${res.text}`);
  if (status < 500) assertErrorShape('taskassistant', res, context);
  else assert.equal(typeof res.body.detail, 'string', `${context} ${res.text}`);
  assert.equal(res.body.error_code, code, context);
  assert.match(res.body.timestamp, ISO, context);
}

/** A 422 whose detail lists `{loc, msg, type}`; with `loc`, one item is at that location. */
export function assertValidation(res: Response, loc?: (string | number)[], context = ''): void {
  assertError(res, 422, 'VALIDATION_ERROR', context);
  assert.ok(res.body.detail.length > 0, context);
  if (loc)
    assert.ok(
      res.body.detail.some((d: { loc: unknown }) => JSON.stringify(d.loc) === JSON.stringify(loc)),
      `${context} expected an issue at ${JSON.stringify(loc)}: ${res.text}`,
    );
}

/** Runs `action`; returns its value with the model calls it made meanwhile. */
export async function withCalls<T>(
  env: TaEnv,
  action: () => Promise<T>,
): Promise<{ value: T; calls: FixtureRequest[] }> {
  const before = env.fixture!.requests.length;
  const value = await action();
  return { value, calls: env.fixture!.requests.slice(before) };
}

export interface BrokenModel {
  baseUrl: string;
  close(): Promise<void>;
}

/** A chat-completions server that streams one token and then drops the connection. */
export async function startBrokenModel(): Promise<BrokenModel> {
  const server = http.createServer(async (req, res) => {
    for await (const _ of req);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: object) => ({
      id: 'broken',
      object: 'chat.completion.chunk',
      created: 0,
      model: 'gone',
      choices: [{ index: 0, delta, finish_reason: null }],
    });
    res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: '' }))}\n\n`);
    res.write(`data: ${JSON.stringify(chunk({ content: 'Partial ' }))}\n\n`);
    setTimeout(() => res.destroy(), 20);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
