/**
 * Shared set-up for the CodeGuide contract tests: a server with the OpenAI-compatible
 * fixture as the default provider (a priced model from a test catalog, so every call
 * costs credits), users registered through Codeep (integer id + API key), their
 * credentials in the spec's primary form (X-API-Key + X-User-ID) or as a Bearer JWT.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../../helpers/db.ts';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client, type RequestOptions, type Response } from '../../helpers/http.ts';
import { type LlmFixture, startLlmFixture } from '../../helpers/llm-fixture.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser, type TestUser } from '../../helpers/users.ts';

export const BODY_LIMIT = 16_384;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** A well-formed id that no row has. */
export const MISSING_ID = '01890000-0000-7000-8000-000000000000';
/** The fixture's models: a text-only one (the default) and one that takes images. */
export const TEXT_MODEL = 'planner-text';
export const VISION_MODEL = 'planner-vision';
/** USD per 1M tokens, so every call costs something. */
export const PRICE = { input_per_1m: 30, output_per_1m: 60 };

export interface CgEnv {
  server: TestServer;
  api: Client;
  fixture: LlmFixture;
  close(): Promise<void>;
}

export async function startCodeGuide(
  options: { env?: Record<string, string>; workers?: number } = {},
): Promise<CgEnv> {
  const fixture = await startLlmFixture();
  const catalog = path.join(makeTempDir('tasklane-catalog-'), 'catalog.json');
  const model = (name: string, capabilities: string[]) => ({
    key: `default/${name}`,
    provider: 'default',
    name,
    capabilities,
    context_window: 131072,
    pricing: { ...PRICE, cached_input_per_1m: PRICE.input_per_1m, per_second: 0 },
  });
  fs.writeFileSync(
    catalog,
    JSON.stringify({
      models: [
        model(TEXT_MODEL, ['chat', 'streaming']),
        model(VISION_MODEL, ['chat', 'vision', 'streaming']),
      ],
    }),
  );
  const server = await startServer({
    workers: options.workers ?? 2,
    env: {
      TASKLANE_BODY_LIMIT: String(BODY_LIMIT),
      TASKLANE_CREDITS_FREE: '1000000',
      TASKLANE_LLM_BASE_URL: fixture.baseUrl,
      TASKLANE_LLM_MODEL: TEXT_MODEL,
      TASKLANE_MODEL_CATALOG: catalog,
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

export interface CgUser extends TestUser {
  uuid: string;
  /** The spec's primary credentials: X-API-Key + X-User-ID. */
  auth: RequestOptions;
  /** The fallback: Authorization: Bearer <JWT>. */
  bearer: RequestOptions;
}

export async function registerUser(api: Client, prefix = 'cg'): Promise<CgUser> {
  const user = await createUser(api, prefix);
  const auth = { headers: { 'x-api-key': user.apiKey, 'x-user-id': String(user.id) } };
  const me = await api.get('/v1/users/me', auth);
  assert.equal(me.status, 200, me.text);
  return { ...user, uuid: me.body.id, auth, bearer: { token: user.token } };
}

/** A CodeGuide error: the status and `{detail}` (a sentence) naming what went wrong. */
export function assertError(res: Response, status: number, detail?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assertErrorShape('codeguide', res);
  assert.deepEqual(Object.keys(res.body), ['detail'], res.text);
  assert.equal(typeof res.body.detail, 'string', res.text);
  if (detail) assert.match(res.body.detail, detail);
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
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
