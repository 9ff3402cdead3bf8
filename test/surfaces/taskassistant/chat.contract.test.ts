/**
 * Task Assistant chat against specs/taskassistant-v1.md: conversations, messages as JSON
 * and as Server-Sent Events read by a real HTTP client, history sent to the model, and
 * usage and cost as the model reported them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkBadInput } from '../../helpers/bad-input.ts';
import type { FixtureRequest } from '../../helpers/llm-fixture.ts';
import {
  addMember,
  assertError,
  assertValidation,
  BODY_LIMIT,
  type BrokenModel,
  ISO,
  MISSING_ID,
  PRICE,
  postSse,
  registerUser,
  startBrokenModel,
  startTaskAssistant,
  type TaEnv,
  type TaUser,
  UUID,
  withCalls,
} from './support.ts';

const SPEC_CONVERSATION = {
  title: 'Sales Analysis Q&A',
  provider: 'openai',
  model: 'gpt-4',
  system_prompt: 'You are a helpful sales analyst.',
  metadata: { department: 'sales' },
};
const MESSAGE_KEYS = 'content conversation_id cost created_at id role tokens_used'.split(' ');

let env: TaEnv;
let user: TaUser;
let broken: BrokenModel;
before(async () => {
  broken = await startBrokenModel();
  env = await startTaskAssistant({
    llm: true,
    // A second provider whose model breaks off after its first token.
    env: {
      TASKLANE_PROVIDER_BROKEN_BASE_URL: broken.baseUrl,
      TASKLANE_PROVIDER_BROKEN_MODEL: 'gone',
      TASKLANE_LLM_MAX_RETRIES: '0',
    },
  });
  user = await registerUser(env.api, 'chat');
});
after(async () => {
  await env?.close();
  await broken?.close();
});

/** What the fixture charged for one call: its usage, and the cost at the catalog's price. */
function usageOf(call: FixtureRequest, answer: string) {
  const prompt = Math.ceil(JSON.stringify(call.messages).length / 4);
  const completion = answer.split(/\s+/).length;
  const micro = prompt * PRICE.input_per_1m + completion * PRICE.output_per_1m;
  return { tokens: prompt + completion, cost: Math.round(micro) / 1e6 };
}

/** Runs `action` and returns it with the one model call it made. */
async function withCall<T>(action: () => Promise<T>): Promise<{ value: T; call: FixtureRequest }> {
  const { value, calls } = await withCalls(env, action);
  assert.equal(calls.length, 1, 'exactly one model call');
  return { value, call: calls[0]! };
}

async function newConversation(token = user.token, body: object = SPEC_CONVERSATION) {
  const res = await env.api.post('/api/v1/chat/conversations', body, { token });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string };
}

describe('conversations', () => {
  test("POST 201 with exactly the spec's keys; GET, list and DELETE (204)", async () => {
    const { api } = env;
    const res = await api.post('/api/v1/chat/conversations', SPEC_CONVERSATION, {
      token: user.token,
    });
    assert.equal(res.status, 201, res.text);
    const keys = ['created_at', 'id', 'model', 'provider', 'title'];
    assert.deepEqual(Object.keys(res.body).sort(), keys);
    assert.match(res.body.id, UUID);
    assert.equal(res.body.title, 'Sales Analysis Q&A');
    assert.equal(res.body.provider, 'openai');
    assert.equal(res.body.model, 'gpt-4');
    assert.match(res.body.created_at, ISO);

    const got = await api.get(`/api/v1/chat/conversations/${res.body.id}`, { token: user.token });
    assert.equal(got.status, 200);
    for (const key of Object.keys(res.body)) assert.equal(got.body[key], res.body[key], key);
    assert.equal(got.body.system_prompt, SPEC_CONVERSATION.system_prompt);
    assert.deepEqual(got.body.metadata, SPEC_CONVERSATION.metadata);

    const other = await newConversation(user.token, { title: 'Second' });
    const list = await api.get('/api/v1/chat/conversations', { token: user.token });
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body).sort(), ['items', 'limit', 'offset', 'total']);
    const ids = list.body.items.map((c: { id: string }) => c.id);
    assert.ok(ids.includes(res.body.id) && ids.includes(other.id));
    assert.equal(list.body.total, ids.length);
    const page = await api.get('/api/v1/chat/conversations?limit=1&offset=1', {
      token: user.token,
    });
    assert.equal(page.body.items.length, 1);
    assert.equal(page.body.total, list.body.total);
    assertValidation(await api.get('/api/v1/chat/conversations?limit=101', { token: user.token }), [
      'query',
      'limit',
    ]);

    const path = `/api/v1/chat/conversations/${other.id}`;
    const del = await api.delete(path, { token: user.token });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assertError(await api.get(path, { token: user.token }), 404, 'NOT_FOUND');
    assertError(await api.get(`${path}/messages`, { token: user.token }), 404, 'NOT_FOUND');
    assertError(
      await api.post(`${path}/messages`, { message: 'hi' }, { token: user.token }),
      404,
      'NOT_FOUND',
    );
    assertError(await api.delete(path, { token: user.token }), 404, 'NOT_FOUND');
    const db = env.server.runtime.database.db;
    const orphans = await db.selectFrom('messages').where('conversation_id', '=', other.id);
    assert.equal((await orphans.selectAll().execute()).length, 0);
    const after = await api.get('/api/v1/chat/conversations', { token: user.token });
    assert.ok(!after.body.items.some((c: { id: string }) => c.id === other.id));
    assertError(
      await api.get(`/api/v1/chat/conversations/${MISSING_ID}`, { token: user.token }),
      404,
      'NOT_FOUND',
    );
  });

  test('an unconfigured provider or model is a 422 that lists what is available', async () => {
    const { api } = env;
    const provider = await api.post(
      '/api/v1/chat/conversations',
      { ...SPEC_CONVERSATION, provider: 'anthropic' },
      { token: user.token },
    );
    assertValidation(provider);
    assert.match(JSON.stringify(provider.body.detail), /anthropic/);
    assert.match(JSON.stringify(provider.body.detail), /available: [^"]*openai/);
    const model = await api.post(
      '/api/v1/chat/conversations',
      { ...SPEC_CONVERSATION, model: 'gpt-5-ultra' },
      { token: user.token },
    );
    assertValidation(model);
    const detail = JSON.stringify(model.body.detail);
    assert.match(detail, /gpt-5-ultra/);
    assert.match(detail, /llama3\.1:8b/);
    assert.match(detail, /gpt-4/);
  });

  test('a conversation is its creator’s: a tenant-mate gets 404 and does not list it', async () => {
    const admin = await registerUser(env.api, 'owner');
    const mate = await addMember(env.api, admin);
    const c = await newConversation(admin.token);
    const path = `/api/v1/chat/conversations/${c.id}`;
    assertError(await env.api.get(path, { token: mate.token }), 404, 'NOT_FOUND');
    assertError(await env.api.get(`${path}/messages`, { token: mate.token }), 404, 'NOT_FOUND');
    const list = await env.api.get('/api/v1/chat/conversations', { token: mate.token });
    assert.equal(list.body.total, 0);
  });
});

describe('messages', () => {
  test('non-streaming: the spec’s fields, usage and cost from the model, history sent', async () => {
    const { api } = env;
    const c = await newConversation();
    const path = `/api/v1/chat/conversations/${c.id}/messages`;
    const first = await withCall(() =>
      api.post(
        path,
        {
          message: 'What are the key trends in our Q4 sales?',
          temperature: 0.7,
          max_tokens: 500,
          stream: false,
        },
        { token: user.token },
      ),
    );
    const res = first.value;
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), MESSAGE_KEYS);
    assert.match(res.body.id, UUID);
    assert.equal(res.body.conversation_id, c.id);
    assert.equal(res.body.role, 'assistant');
    assert.equal(res.body.content, 'You said: What are the key trends in our Q4 sales?');
    assert.match(res.body.created_at, ISO);
    const usage = usageOf(first.call, res.body.content);
    assert.equal(res.body.tokens_used, usage.tokens);
    assert.equal(res.body.cost, usage.cost);
    assert.ok(res.body.cost > 0);
    // The request reached the model as asked: the aliased model, the settings, the prompt.
    assert.equal(first.call.model, 'llama3.1:8b');
    assert.equal((first.call as any).temperature, 0.7);
    assert.equal((first.call as any).max_tokens, 500);
    assert.deepEqual(first.call.messages, [
      { role: 'system', content: SPEC_CONVERSATION.system_prompt },
      { role: 'user', content: 'What are the key trends in our Q4 sales?' },
    ]);

    const second = await withCall(() =>
      api.post(path, { message: 'And in Q3?' }, { token: user.token }),
    );
    assert.equal(second.value.status, 200, second.value.text);
    assert.deepEqual(second.call.messages, [
      { role: 'system', content: SPEC_CONVERSATION.system_prompt },
      { role: 'user', content: 'What are the key trends in our Q4 sales?' },
      { role: 'assistant', content: res.body.content },
      { role: 'user', content: 'And in Q3?' },
    ]);
    assert.equal(
      second.value.body.tokens_used,
      usageOf(second.call, 'You said: And in Q3?').tokens,
    );

    const list = await api.get(path, { token: user.token });
    assert.equal(list.status, 200);
    assert.equal(list.body.total, 4);
    assert.deepEqual(
      list.body.items.map((m: { role: string; content: string }) => [m.role, m.content]),
      [
        ['user', 'What are the key trends in our Q4 sales?'],
        ['assistant', res.body.content],
        ['user', 'And in Q3?'],
        ['assistant', 'You said: And in Q3?'],
      ],
    );
    for (const m of list.body.items) {
      assert.deepEqual(Object.keys(m).sort(), MESSAGE_KEYS);
      assert.equal(m.conversation_id, c.id);
    }
    assert.deepEqual(list.body.items[1], res.body);
    assert.deepEqual(list.body.items[3], second.value.body);
    const page = await api.get(`${path}?limit=2&offset=2`, { token: user.token });
    assert.deepEqual(page.body.items, list.body.items.slice(2));
  });

  test('the model sees the last 100 messages (the new one included) and the system prompt', async () => {
    const c = await newConversation();
    const start = Date.now() - 60_000;
    const rows = Array.from({ length: 120 }, (_, i) => ({
      id: `01890000-0000-7000-9000-${String(i).padStart(12, '0')}`,
      conversation_id: c.id,
      tenant_id: user.tenantId,
      role: i % 2 ? ('assistant' as const) : ('user' as const),
      content: `m${i}`,
      tokens_used: 0,
      cost_micro_usd: 0,
      created_at: start + i,
    }));
    await env.server.runtime.database.db.insertInto('messages').values(rows).execute();
    const { call } = await withCall(() =>
      env.api.post(
        `/api/v1/chat/conversations/${c.id}/messages`,
        { message: 'now' },
        {
          token: user.token,
        },
      ),
    );
    assert.deepEqual(call.messages, [
      { role: 'system', content: SPEC_CONVERSATION.system_prompt },
      ...rows.slice(-99).map((m) => ({ role: m.role, content: m.content })),
      { role: 'user', content: 'now' },
    ]);
  });

  test('SSE over fetch: start → token… → done; tokens make the stored message', async () => {
    const c = await newConversation();
    const path = `/api/v1/chat/conversations/${c.id}/messages`;
    await env.api.post(path, { message: 'Remember this.' }, { token: user.token });
    const message =
      'Explain the sales trends in detail, region by region, product by product, and quarter by quarter';
    const { value: sse, call } = await withCall(() =>
      postSse(env.server.url, path, { message, stream: true }, user.token),
    );
    assert.equal(sse.status, 200);
    assert.match(sse.contentType, /^text\/event-stream/);
    assert.ok(sse.chunks > 1, 'the body arrived in pieces, as it was produced');
    const types = sse.events.map((e) => e.type);
    assert.equal(types[0], 'start');
    assert.equal(types.at(-1), 'done');
    const tokens = sse.events.slice(1, -1);
    assert.ok(tokens.length > 1, 'several token events');
    for (const t of tokens) {
      assert.equal(t.type, 'token');
      assert.deepEqual(Object.keys(t).sort(), ['content', 'type']);
      assert.equal(typeof t.content, 'string');
    }
    const start = sse.events[0]!;
    const done = sse.events.at(-1)!;
    assert.match(start.message_id, UUID);
    const text = tokens.map((t) => t.content).join('');
    assert.equal(text, `You said: ${message}`);

    const list = await env.api.get(path, { token: user.token });
    const stored = list.body.items.at(-1);
    assert.equal(stored.role, 'assistant');
    assert.equal(stored.content, text);
    assert.equal(stored.id, start.message_id);
    assert.equal(done.message_id, stored.id);
    assert.equal(done.tokens_used, stored.tokens_used);
    assert.equal(done.cost, stored.cost);
    const usage = usageOf(call, text);
    assert.equal(done.tokens_used, usage.tokens);
    assert.equal(done.cost, usage.cost);
    // History went to the model on the streaming path too.
    assert.deepEqual(call.messages.slice(0, 3), [
      { role: 'system', content: SPEC_CONVERSATION.system_prompt },
      { role: 'user', content: 'Remember this.' },
      { role: 'assistant', content: 'You said: Remember this.' },
    ]);
    assert.equal(list.body.items.at(-2).content, message);
  });

  test('a model failing mid-way: SSE start, token, error; JSON 503; no answer stored', async () => {
    const c = await newConversation(user.token, { title: 'Broken', provider: 'broken' });
    const path = `/api/v1/chat/conversations/${c.id}/messages`;
    const sse = await postSse(env.server.url, path, { message: 'hi', stream: true }, user.token);
    assert.equal(sse.status, 200);
    assert.deepEqual(
      sse.events.map((e) => e.type),
      ['start', 'token', 'error'],
    );
    assert.equal(sse.events[1]!.content, 'Partial ');
    const error = sse.events[2]!;
    assert.deepEqual(Object.keys(error).sort(), ['detail', 'error_code', 'type']);
    assert.equal(typeof error.detail, 'string');
    assert.match(error.error_code, /^[A-Z_]+$/);
    const json = await env.api.post(path, { message: 'hi again' }, { token: user.token });
    assertError(json, 503, 'SERVICE_UNAVAILABLE');
    const list = await env.api.get(path, { token: user.token });
    assert.ok(list.body.items.every((m: { role: string }) => m.role === 'user'));
  });

  test('stream: true on an unknown conversation is a JSON 404, not a stream', async () => {
    const res = await env.api.post(
      `/api/v1/chat/conversations/${MISSING_ID}/messages`,
      { message: 'hi', stream: true },
      { token: user.token },
    );
    assertError(res, 404, 'NOT_FOUND');
  });

  test('bad input on POST /chat/conversations and POST …/messages', async () => {
    await checkBadInput(
      env.server.url,
      {
        shape: 'taskassistant',
        method: 'POST',
        path: '/api/v1/chat/conversations',
        token: user.token,
        valid: { ...SPEC_CONVERSATION },
        required: [],
      },
      BODY_LIMIT,
    );
    const c = await newConversation();
    const path = `/api/v1/chat/conversations/${c.id}/messages`;
    const before = env.fixture!.requests.length;
    await checkBadInput(
      env.server.url,
      {
        shape: 'taskassistant',
        method: 'POST',
        path,
        token: user.token,
        valid: { message: 'Hello', temperature: 0.7, max_tokens: 500, stream: false },
        required: ['message'],
      },
      BODY_LIMIT,
    );
    for (const bad of [{ temperature: 3 }, { max_tokens: 0 }, { message: '' }]) {
      const res = await env.api.post(path, { message: 'Hi', ...bad }, { token: user.token });
      assertValidation(res, ['body', Object.keys(bad)[0]!], JSON.stringify(bad));
    }
    assert.equal(env.fixture!.requests.length, before, 'no bad request reached the model');
    assert.equal((await env.api.get(path, { token: user.token })).body.total, 0);
  });
});
