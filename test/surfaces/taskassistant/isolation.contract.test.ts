/**
 * Tenant isolation on the Task Assistant surface: a user of tenant B gets 404 for every
 * id of tenant A on every task, conversation, message, agent, run and webhook route, and
 * changes nothing; neither tenant's lists show the other's things.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { type Client, type Response, request } from '../../helpers/http.ts';
import {
  assertError,
  registerUser,
  startTaskAssistant,
  type TaEnv,
  type TaUser,
  waitFor,
} from './support.ts';

interface Things {
  task: string;
  conversation: string;
  message: string;
  agent: string;
  run: string;
  webhook: string;
}

let env: TaEnv;
let receiver: http.Server;
let received = 0;
let a: TaUser;
let b: TaUser;
let thingsA: Things;
let thingsB: Things;

before(async () => {
  receiver = http.createServer((req, res) => {
    received += 1;
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  env = await startTaskAssistant({ llm: true, env: { TASKLANE_WEBHOOK_ALLOW_PRIVATE: 'true' } });
  [a, b] = await Promise.all([registerUser(env.api, 'tenantA'), registerUser(env.api, 'tenantB')]);
  assert.notEqual(a.tenantId, b.tenantId);
  thingsA = await makeThings(env.api, a);
  thingsB = await makeThings(env.api, b);
});
after(async () => {
  await env?.close();
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

async function makeThings(api: Client, user: TaUser): Promise<Things> {
  const token = user.token;
  const created = async (res: Promise<Response>, status = 201) => {
    const r = await res;
    assert.equal(r.status, status, r.text);
    return r.body;
  };
  const task = await created(api.post('/api/v1/tasks', { title: 'Secret plan' }, { token }));
  // The task runs on the model in the background: let it finish before counting calls.
  await waitFor('the task to finish', async () => {
    const res = await api.get(`/api/v1/tasks/${task.id}`, { token });
    return res.body.status === 'pending' ? undefined : res;
  });
  const conversation = await created(
    api.post('/api/v1/chat/conversations', { title: 'Secret chat' }, { token }),
  );
  const message = await created(
    api.post(
      `/api/v1/chat/conversations/${conversation.id}/messages`,
      { message: 'the secret' },
      { token },
    ),
    200,
  );
  const agent = await created(
    api.post('/api/v1/agents', { name: 'Secret agent', tools: ['calculator'] }, { token }),
  );
  const run = await created(
    api.post(`/api/v1/agents/${agent.id}/execute`, { input: 'go' }, { token }),
    200,
  );
  const { port } = receiver.address() as AddressInfo;
  const webhook = await created(
    api.post(
      '/api/v1/webhooks',
      {
        url: `http://127.0.0.1:${port}/hook`,
        event_types: ['subscription.expiring'],
        secret: 'webhook_secret_key_123',
        description: 'secret hook',
      },
      { token },
    ),
  );
  return {
    task: task.id,
    conversation: conversation.id,
    message: message.id,
    agent: agent.id,
    run: run.run_id,
    webhook: webhook.id,
  };
}

/** Every route that takes an id, with a body it would accept. */
function routesFor(id: string, run: string, ownAgent: string) {
  return [
    ['GET', `/tasks/${id}`],
    ['PATCH', `/tasks/${id}`, { title: 'hijacked', status: 'completed' }],
    ['PUT', `/tasks/${id}`, { title: 'hijacked' }],
    ['DELETE', `/tasks/${id}`],
    ['GET', `/chat/conversations/${id}`],
    ['DELETE', `/chat/conversations/${id}`],
    ['GET', `/chat/conversations/${id}/messages`],
    ['POST', `/chat/conversations/${id}/messages`, { message: 'hijack' }],
    ['GET', `/agents/${id}`],
    ['PATCH', `/agents/${id}`, { name: 'hijacked', is_active: false }],
    ['PUT', `/agents/${id}`, { name: 'hijacked' }],
    ['DELETE', `/agents/${id}`],
    ['POST', `/agents/${id}/execute`, { input: 'hijack' }],
    ['POST', `/agents/${id}/execute`, { input: 'hijack', background: true }],
    ['GET', `/agents/${id}/runs`],
    ['GET', `/agents/${id}/runs/${run}`],
    ['GET', `/agents/${ownAgent}/runs/${id}`],
    ['GET', `/webhooks/${id}`],
    ['PATCH', `/webhooks/${id}`, { description: 'hijacked', is_active: false }],
    ['DELETE', `/webhooks/${id}`],
    ['GET', `/webhooks/${id}/deliveries`],
    ['POST', `/webhooks/${id}/test`],
  ] as const;
}

test("tenant B gets 404 for every one of tenant A's ids on every route", async () => {
  const calls = env.fixture!.requests.length;
  const receivedBefore = received;
  let checked = 0;
  for (const [kind, id] of Object.entries(thingsA)) {
    for (const [method, path, body] of routesFor(id, thingsA.run, thingsB.agent)) {
      const res = await request(env.server.url, method, `/api/v1${path}`, body, {
        token: b.token,
      });
      assertError(res, 404, 'NOT_FOUND', `B: ${method} ${path} (A's ${kind})`);
      // The route exists: the 404 is the resource's, not the router's.
      assert.match(res.body.detail, /^(Task|Conversation|Agent|Run|Webhook) not found$/);
      checked += 1;
    }
    const stream = await env.api.post(
      `/api/v1/chat/conversations/${id}/messages`,
      { message: 'hijack', stream: true },
      { token: b.token },
    );
    assertError(stream, 404, 'NOT_FOUND', `B: streaming into A's ${kind}`);
  }
  assert.ok(checked >= 6 * 22);
  assert.equal(env.fixture!.requests.length, calls, "B's requests never reached the model");
  assert.equal(received, receivedBefore, "B's test request sent nothing to A's webhook");
});

test("tenant A's things are untouched by B's attempts", async () => {
  const token = a.token;
  const task = await env.api.get(`/api/v1/tasks/${thingsA.task}`, { token });
  assert.equal(task.status, 200);
  assert.equal(task.body.title, 'Secret plan');
  const conversation = await env.api.get(`/api/v1/chat/conversations/${thingsA.conversation}`, {
    token,
  });
  assert.equal(conversation.status, 200);
  const messages = await env.api.get(
    `/api/v1/chat/conversations/${thingsA.conversation}/messages`,
    { token },
  );
  assert.deepEqual(messages.body.items.map((m: { id: string }) => m.id).slice(1), [
    thingsA.message,
  ]);
  assert.equal(messages.body.total, 2);
  const agent = await env.api.get(`/api/v1/agents/${thingsA.agent}`, { token });
  assert.equal(agent.body.name, 'Secret agent');
  assert.equal(agent.body.is_active, true);
  const runs = await env.api.get(`/api/v1/agents/${thingsA.agent}/runs`, { token });
  assert.deepEqual(
    runs.body.items.map((r: { run_id: string }) => r.run_id),
    [thingsA.run],
  );
  const run = await env.api.get(`/api/v1/agents/${thingsA.agent}/runs/${thingsA.run}`, { token });
  assert.equal(run.status, 200);
  const webhook = await env.api.get(`/api/v1/webhooks/${thingsA.webhook}`, { token });
  assert.equal(webhook.status, 200);
  assert.equal(webhook.body.description, 'secret hook');
  assert.equal(webhook.body.is_active, true);
  const deliveries = await env.api.get(`/api/v1/webhooks/${thingsA.webhook}/deliveries`, {
    token,
  });
  assert.equal(deliveries.status, 200);
  assert.equal(deliveries.body.total, 0);
  // The owner's own test delivery does reach the receiver (so the check above can fail).
  const before = received;
  const sent = await env.api.post(`/api/v1/webhooks/${thingsA.webhook}/test`, undefined, {
    token,
  });
  assert.equal(sent.status, 200, sent.text);
  assert.equal(received, before + 1);
});

test("each tenant's lists show only its own things", async () => {
  const lists = [
    ['/api/v1/tasks', 'task', 'id'],
    ['/api/v1/chat/conversations', 'conversation', 'id'],
    ['/api/v1/agents', 'agent', 'id'],
    ['/api/v1/webhooks', 'webhook', 'id'],
  ] as const;
  for (const [user, mine] of [
    [a, thingsA],
    [b, thingsB],
  ] as const) {
    for (const [path, kind, key] of lists) {
      const res = await env.api.get(path, { token: user.token });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        res.body.items.map((item: Record<string, string>) => item[key]),
        [mine[kind]],
        `${path} for ${user.email}`,
      );
      assert.equal(res.body.total, 1);
    }
    const messages = await env.api.get(`/api/v1/chat/conversations/${mine.conversation}/messages`, {
      token: user.token,
    });
    assert.ok(messages.body.items.some((m: { id: string }) => m.id === mine.message));
    const runs = await env.api.get(`/api/v1/agents/${mine.agent}/runs`, { token: user.token });
    assert.deepEqual(
      runs.body.items.map((r: { run_id: string }) => r.run_id),
      [mine.run],
    );
  }
});
