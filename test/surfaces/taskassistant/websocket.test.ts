/**
 * Task Assistant's WebSocket (/api/v1/ws) against specs/taskassistant-v1.md and
 * docs/surfaces/taskassistant.md, with the `ws` client: auth first (or an error and a
 * close), errors that keep the socket open, chat and agent runs streamed, and the
 * tenant's task events pushed to its sockets only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Response, request } from '../../helpers/http.ts';
import {
  addMember,
  ISO,
  MISSING_ID,
  registerUser,
  startTaskAssistant,
  type TaEnv,
  type TaUser,
  UUID,
} from './support.ts';
import { type Message, Socket } from './ws-client.ts';

const AUTH_TIMEOUT_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let env: TaEnv;
let user: TaUser;
let other: TaUser;
const sockets: Socket[] = [];
before(async () => {
  env = await startTaskAssistant({
    llm: true,
    env: { TASKLANE_WS_AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS) },
  });
  [user, other] = await Promise.all([registerUser(env.api, 'ws'), registerUser(env.api, 'wsB')]);
});
after(async () => {
  for (const socket of sockets) socket.close();
  await env?.close();
});

async function open(token?: string): Promise<Socket> {
  const socket = await Socket.open(env.server.url, token);
  sockets.push(socket);
  return socket;
}

function ta(method: string, path: string, body?: unknown, token = user.token): Promise<Response> {
  return request(env.server.url, method, `/api/v1${path}`, body, { token });
}

async function created(res: Promise<Response>): Promise<any> {
  const r = await res;
  assert.equal(r.status, 201, r.text);
  return r.body;
}

const newConversation = (token = user.token) =>
  created(
    ta('POST', '/chat/conversations', { title: 'WS', provider: 'openai', model: 'gpt-4' }, token),
  );
const newAgent = (token = user.token) =>
  created(ta('POST', '/agents', { name: 'Calc', model: 'gpt-4', tools: ['calculator'] }, token));

function assertError(message: Message, code: string, context = '') {
  assert.equal(message.type, 'error', `${context} ${JSON.stringify(message)}`);
  assert.equal(message.error_code, code, `${context} ${JSON.stringify(message)}`);
  assert.equal(typeof message.detail, 'string', context);
}

describe('authentication', () => {
  test('{type: auth, token} first: auth_success with the user and tenant', async () => {
    const socket = await open();
    socket.send({ type: 'auth', token: user.token });
    const reply = await socket.next();
    assert.deepEqual(reply, { type: 'auth_success', user_id: user.id, tenant_id: user.tenantId });
    assert.match(reply.user_id, UUID);
    await sleep(AUTH_TIMEOUT_MS + 200);
    await socket.assertAlive();
  });

  test('a bad token: an error, then the socket is closed (4003)', async () => {
    for (const token of ['not-a-token', '', undefined]) {
      const socket = await open();
      socket.send({ type: 'auth', token });
      assertError(await socket.next(), 'UNAUTHORIZED', String(token));
      assert.equal((await socket.closed).code, 4003);
    }
  });

  test('a socket that never authenticates is closed after TASKLANE_WS_AUTH_TIMEOUT_MS', async () => {
    const socket = await open();
    const { code } = await socket.closed;
    assert.equal(code, 4001);
    assert.ok(Date.now() - socket.openedAt >= AUTH_TIMEOUT_MS * 0.8, 'not before the timeout');
    assertError(socket.messages.at(-1)!, 'AUTH_TIMEOUT');
  });

  test('chat and agent_execute before auth: an error; the socket may still authenticate', async () => {
    const socket = await open();
    socket.send({ type: 'chat', conversation_id: MISSING_ID, message: 'hi' });
    assertError(await socket.next(), 'UNAUTHORIZED', 'chat');
    socket.send({ type: 'agent_execute', agent_id: MISSING_ID, input: 'go' });
    assertError(await socket.next(), 'UNAUTHORIZED', 'agent_execute');
    socket.send({ type: 'auth', token: user.token });
    assert.equal((await socket.next()).type, 'auth_success');
  });

  test('messages sent right behind the auth message are handled as authenticated', async () => {
    const conversation = await newConversation();
    const socket = await open();
    socket.send({ type: 'auth', token: user.token });
    socket.send({ type: 'chat', conversation_id: conversation.id, message: 'pipelined' });
    assert.equal((await socket.next()).type, 'auth_success');
    const stream = await socket.collect(
      (m) => m.type !== 'event',
      (m) => m.type === 'done' || m.type === 'error',
    );
    assert.equal(stream[0]!.type, 'start', JSON.stringify(stream));
    assert.equal(stream.at(-1)!.type, 'done', JSON.stringify(stream));
  });

  test('bad JSON or an unknown type: an error, and the socket stays open', async () => {
    const socket = await open(user.token);
    socket.send('{not json');
    assertError(await socket.next(), 'INVALID_MESSAGE');
    socket.send('[1, 2]');
    assertError(await socket.next(), 'INVALID_MESSAGE');
    socket.send({ type: 'dance' });
    assertError(await socket.next(), 'UNKNOWN_TYPE');
    socket.send({ type: 'auth', token: user.token });
    assertError(await socket.next(), 'ALREADY_AUTHENTICATED');
    socket.send({ type: 'chat', message: 'no conversation' });
    assertError(await socket.next(), 'VALIDATION_ERROR');
    await socket.assertAlive();
  });

  test('JSON nested past the depth limit: an error naming the limit, and the socket stays open', async () => {
    const socket = await open(user.token);
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    // As the type (echoed back in errors) and as an extra field, both far past the limit.
    for (const message of [`{"type":${deep(50_000)}}`, `{"type":"chat","x":${deep(50_000)}}`]) {
      socket.send(message);
      const reply = await socket.next();
      assertError(reply, 'INVALID_MESSAGE', message.slice(0, 30));
      assert.match(reply.detail, /nested more than 64 levels/);
    }
    // Right at the limit (64 levels, counting the message object) is an ordinary message.
    socket.send(`{"type":"dance","x":${deep(63)}}`);
    assertError(await socket.next(), 'UNKNOWN_TYPE');
    await socket.assertAlive();
    assert.ok(
      !env.server.logs.some((line) => line.includes('Maximum call stack')),
      'no stack overflow logged',
    );
  });
});

describe('chat and agents', () => {
  test('chat streams start, token…, done with the conversation id; tokens make the stored message', async () => {
    const conversation = await newConversation();
    const socket = await open(user.token);
    const message = 'Hello, how can I help?';
    socket.send({ type: 'chat', conversation_id: conversation.id, message });
    const stream = await socket.collect(
      (m) => m.type !== 'event',
      (m) => m.type === 'done' || m.type === 'error',
    );
    const [start, ...rest] = stream;
    const done = rest.pop()!;
    assert.equal(start!.type, 'start', JSON.stringify(stream));
    assert.match(start!.message_id, UUID);
    assert.equal(done.type, 'done', JSON.stringify(done));
    assert.ok(rest.length > 1, 'several tokens');
    assert.ok(rest.every((m) => m.type === 'token' && typeof m.content === 'string'));
    for (const m of stream) assert.equal(m.conversation_id, conversation.id, JSON.stringify(m));
    const text = rest.map((m) => m.content).join('');
    assert.equal(text, `You said: ${message}`);
    assert.equal(done.message_id, start!.message_id);
    assert.ok(done.tokens_used > 0);
    assert.ok(typeof done.cost === 'number' && done.cost > 0);

    const stored = await ta('GET', `/chat/conversations/${conversation.id}/messages`);
    assert.equal(stored.status, 200);
    const [asked, answered] = stored.body.items;
    assert.deepEqual([asked.role, asked.content], ['user', message]);
    assert.deepEqual(
      [answered.id, answered.role, answered.content, answered.tokens_used],
      [done.message_id, 'assistant', text, done.tokens_used],
    );
  });

  test('agent_execute streams agent_started, agent_step…, agent_result (the run)', async () => {
    const agent = await newAgent();
    const socket = await open(user.token);
    socket.send({ type: 'agent_execute', agent_id: agent.id, input: 'Analyze sales data' });
    const stream = await socket.collect(
      (m) => m.type !== 'event',
      (m) => m.type === 'agent_result' || m.type === 'error',
    );
    const [started, ...steps] = stream;
    const result = steps.pop()!;
    assert.deepEqual(started, { type: 'agent_started', agent_id: agent.id });
    assert.ok(steps.length >= 1, JSON.stringify(stream));
    steps.forEach((step, i) => {
      assert.equal(step.type, 'agent_step');
      assert.equal(step.agent_id, agent.id);
      assert.equal(step.step, i + 1);
      assert.ok(Array.isArray(step.tools) && typeof step.cost === 'number');
      assert.ok(step.tokens_used > 0 && step.tokens_used <= result.tokens_used);
    });
    assert.deepEqual(steps[0]!.tools, ['calculator']);
    assert.equal(result.type, 'agent_result', JSON.stringify(result));
    assert.match(result.run_id, UUID);
    assert.equal(result.status, 'completed');
    assert.equal(result.output, 'Done. The tools reported 42.');
    assert.deepEqual(result.tools_used, ['calculator']);
    assert.ok(result.tokens_used > 0 && result.cost > 0);
    assert.ok(Number.isInteger(result.execution_time_ms));
    assert.match(result.created_at, ISO);
    assert.match(result.completed_at, ISO);
    const { type: _, ...run } = result;
    const stored = await ta('GET', `/agents/${agent.id}/runs/${result.run_id}`);
    assert.deepEqual(stored.body, run);
    const pushed = await socket.seen(
      (m) => m.event === 'agent.completed' && m.data.run_id === result.run_id,
    );
    assert.equal(pushed.data.output, result.output);
  });

  test('agent_execute refused (unknown agent, no input): an error and no agent_started', async () => {
    const agent = await newAgent();
    const socket = await open(user.token);
    socket.send({ type: 'agent_execute', agent_id: MISSING_ID, input: 'go' });
    const unknown = await socket.next((m) => m.type !== 'event');
    assertError(unknown, 'NOT_FOUND');
    assert.equal(unknown.request_type, 'agent_execute');
    socket.send({ type: 'agent_execute', agent_id: agent.id });
    assertError(await socket.next((m) => m.type !== 'event'), 'VALIDATION_ERROR');
    socket.send({ type: 'chat', conversation_id: MISSING_ID, message: 'hi' });
    assertError(await socket.next((m) => m.type !== 'event'), 'NOT_FOUND');
    await socket.assertAlive();
  });
});

describe('tenants', () => {
  test("task events reach the tenant's sockets and no other tenant's", async () => {
    const member = await addMember(env.api, user);
    const [own, mate, stranger] = await Promise.all([
      open(user.token),
      open(member.token),
      open(other.token),
    ]);
    const task = await created(ta('POST', '/tasks', { title: 'Pushed' }));
    const isCreated = (id: string) => (m: Message) =>
      m.type === 'event' && m.event === 'task.created' && m.data.task_id === id;
    for (const socket of [own, mate]) {
      const event = await socket.next(isCreated(task.id));
      assert.equal(event.data.title, 'Pushed');
      assert.match(event.timestamp, ISO);
    }
    // The other tenant's own task event comes after ours: by then ours would have arrived.
    const theirs = await created(ta('POST', '/tasks', { title: 'Theirs' }, other.token));
    await stranger.next(isCreated(theirs.id));
    assert.ok(!stranger.messages.some((m) => m.data?.task_id === task.id), 'no cross-tenant push');
    assert.ok(!own.messages.some((m) => m.data?.task_id === theirs.id), 'no cross-tenant push');
    for (const socket of [own, mate, stranger])
      assert.equal(socket.binaryFrames, 0, 'events come as text frames');
  });

  test("chat or agent_execute on another tenant's ids: NOT_FOUND, nothing run", async () => {
    const conversation = await newConversation();
    const agent = await newAgent();
    const stranger = await open(other.token);
    stranger.send({ type: 'chat', conversation_id: conversation.id, message: 'hijack' });
    const chat = await stranger.next((m) => m.type !== 'event');
    assertError(chat, 'NOT_FOUND', 'chat');
    assert.equal(chat.request_type, 'chat');
    stranger.send({ type: 'agent_execute', agent_id: agent.id, input: 'hijack' });
    assertError(await stranger.next((m) => m.type !== 'event'), 'NOT_FOUND', 'agent_execute');
    await stranger.assertAlive();
    const messages = await ta('GET', `/chat/conversations/${conversation.id}/messages`);
    assert.equal(messages.body.total, 0);
    const runs = await ta('GET', `/agents/${agent.id}/runs`);
    assert.equal(runs.body.total, 0);
  });
});
