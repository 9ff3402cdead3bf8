/**
 * Task Assistant webhooks against specs/taskassistant-v1.md and docs/surfaces/taskassistant.md:
 * CRUD, refused private destinations, and real deliveries to a receiver in this test that
 * verifies every request with the `standardwebhooks` package, fails the first attempts,
 * and sees each event acknowledged once; a 410 disables the endpoint; `…/test` sends now.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { type Response, request } from '../../helpers/http.ts';
import {
  assertError,
  assertValidation,
  ISO,
  MISSING_ID,
  registerUser,
  startTaskAssistant,
  type TaEnv,
  type TaUser,
  UUID,
  waitFor,
} from './support.ts';

const SPEC_SECRET = 'webhook_secret_key_123';
/** Longer than the last retry delay (400 ms + 20% jitter) plus a worker poll. */
const SETTLE_MS = 1200;
const FAST_RETRIES = {
  TASKLANE_WEBHOOK_ALLOW_PRIVATE: 'true',
  TASKLANE_WEBHOOK_RETRY_SCHEDULE_MS: '200,300,400',
};
const HOOK_KEYS = ['created_at', 'event_types', 'id', 'is_active', 'url'];
const TYPES_LOC = ['body', 'event_types'];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PRIVATE_URLS = [
  'http://127.0.0.1:9/hook',
  'http://localhost/hook',
  'http://10.1.2.3/hook',
  'http://169.254.169.254/latest/meta-data',
  'http://[::1]:8080/hook',
];

interface Received {
  path: string;
  id: string;
  headers: Record<string, string>;
  body: string;
  payload: any;
  verified: boolean;
  status: number;
}
/** The status a receiver path answers to its n-th request with one webhook-id. */
type Answer = (n: number) => number;

const received: Received[] = [];
const endpoints = new Map<string, { verifier: Webhook; answer: Answer }>();
const receiver = http.createServer(async (req, res) => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const path = req.url ?? '';
  const headers: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'])
    headers[name] = String(req.headers[name] ?? '');
  const endpoint = endpoints.get(path);
  let payload: any;
  let verified = false;
  try {
    payload = endpoint?.verifier.verify(body, headers);
    verified = endpoint !== undefined;
  } catch {}
  const n = at(path).filter((r) => r.id === headers['webhook-id']).length + 1;
  const status = !endpoint ? 404 : verified ? endpoint.answer(n) : 400;
  received.push({ path, id: headers['webhook-id']!, headers, body, payload, verified, status });
  res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
});
const at = (path: string) => received.filter((r) => r.path === path);
const hookUrl = (path: string) =>
  `http://127.0.0.1:${(receiver.address() as AddressInfo).port}${path}`;

let env: TaEnv;
let strict: TaEnv;
let user: TaUser;
before(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  [env, strict] = await Promise.all([
    startTaskAssistant({ llm: true, env: FAST_RETRIES }),
    startTaskAssistant({ llm: false }),
  ]);
  user = await registerUser(env.api, 'hooks');
});
after(async () => {
  await Promise.all([env?.close(), strict?.close()]);
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

/** A request to /api/v1… on the main server, as `user` unless another token is given. */
function ta(method: string, path: string, body?: unknown, token = user.token): Promise<Response> {
  return request(env.server.url, method, `/api/v1${path}`, body, { token });
}

async function created(res: Promise<Response>): Promise<any> {
  const r = await res;
  assert.equal(r.status, 201, r.text);
  return r.body;
}

const createHook = (body: Record<string, unknown>, token?: string) =>
  created(ta('POST', '/webhooks', body, token));
const createTask = async (title: string): Promise<string> =>
  (await created(ta('POST', '/tasks', { title }))).id;

/** Subscribes receiver path `path`, which verifies each request and answers as given. */
async function subscribe(path: string, types: string[], answer: Answer, secret?: string) {
  const hook = await createHook({ url: hookUrl(path), event_types: types, secret });
  // A plain secret is used as raw bytes; a generated one is `whsec_` + base64.
  const verifier = secret ? new Webhook(secret, { format: 'raw' }) : new Webhook(hook.secret);
  endpoints.set(path, { verifier, answer });
  return hook;
}

async function deliveries(hookId: string): Promise<any[]> {
  const res = await ta('GET', `/webhooks/${hookId}/deliveries`);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

describe('webhook subscriptions', () => {
  test("POST 201 with the spec's keys; a secret only when the server generated it", async () => {
    const spec = {
      url: hookUrl('/crud/spec'),
      event_types: ['agent.completed', 'usage.quota_exceeded', 'subscription.expiring'],
      secret: SPEC_SECRET,
      description: 'Production webhook',
      is_active: true,
    };
    const res = await createHook(spec);
    assert.deepEqual(Object.keys(res).sort(), HOOK_KEYS);
    assert.match(res.id, UUID);
    assert.equal(res.url, spec.url);
    assert.deepEqual(res.event_types, spec.event_types);
    assert.equal(res.is_active, true);
    assert.match(res.created_at, ISO);

    const body = { url: hookUrl('/crud/generated'), event_types: ['subscription.expiring'] };
    const generated = await createHook(body);
    assert.deepEqual(Object.keys(generated).sort(), [...HOOK_KEYS, 'secret'].sort());
    assert.match(generated.secret, /^whsec_[A-Za-z0-9+/]+={0,2}$/);
    assert.ok(Buffer.from(generated.secret.slice(6), 'base64').length >= 24);

    const got = await ta('GET', `/webhooks/${generated.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.id, generated.id);
    assert.ok(!('secret' in got.body), 'the secret is shown only once');
    const list = await ta('GET', '/webhooks');
    assert.equal(list.status, 200);
    const ids = list.body.items.map((w: { id: string }) => w.id);
    assert.ok(ids.includes(res.id) && ids.includes(generated.id));
    assert.ok(list.body.items.every((w: object) => !('secret' in w)));
    assert.equal(list.body.total, list.body.items.length);
  });

  test('GET, PATCH, DELETE 204; then 404', async () => {
    const body = { url: hookUrl('/crud/patch'), event_types: ['subscription.expiring'] };
    const hook = await createHook({ ...body, secret: SPEC_SECRET, description: 'before' });
    const path = `/webhooks/${hook.id}`;
    const got = await ta('GET', path);
    assert.equal(got.status, 200);
    const { description, is_active, disabled_reason } = got.body;
    assert.deepEqual([description, is_active, disabled_reason], ['before', true, null]);

    const changes = {
      url: hookUrl('/crud/patched'),
      event_types: ['task.created', 'task.failed'],
      description: 'after',
      is_active: false,
    };
    const patched = await ta('PATCH', path, changes);
    assert.equal(patched.status, 200, patched.text);
    for (const [key, value] of Object.entries(changes))
      assert.deepEqual(patched.body[key], value, key);
    assert.equal((await ta('GET', path)).body.description, 'after');
    assertValidation(await ta('PATCH', path, { event_types: ['task.exploded'] }), TYPES_LOC);

    const deleted = await ta('DELETE', path);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assertError(await ta('GET', path), 404, 'NOT_FOUND');
    assertError(await ta('DELETE', path), 404, 'NOT_FOUND');
    assertError(await ta('GET', `/webhooks/${MISSING_ID}`), 404, 'NOT_FOUND');
  });

  test('an unknown event type is a 422; no token is a 401', async () => {
    const body = { url: hookUrl('/unknown'), event_types: ['agent.completed', 'task.exploded'] };
    const res = await ta('POST', '/webhooks', body);
    assertValidation(res, TYPES_LOC);
    assert.match(JSON.stringify(res.body.detail), /task\.exploded/);
    assertError(await ta('POST', '/webhooks', body, ''), 401, 'UNAUTHORIZED');
  });

  test('private, loopback and link-local destinations: 422 unless allowed', async () => {
    const admin = await registerUser(strict.api, 'strict');
    const token = admin.token;
    const types = ['subscription.expiring'];
    for (const url of PRIVATE_URLS) {
      const res = await strict.api.post('/api/v1/webhooks', { url, event_types: types }, { token });
      assertValidation(res, ['body', 'url'], url);
    }
    const url = 'https://8.8.8.8/hook';
    const hook = await created(
      strict.api.post('/api/v1/webhooks', { url, event_types: types }, { token }),
    );
    const moved = await strict.api.patch(
      `/api/v1/webhooks/${hook.id}`,
      { url: 'http://10.0.0.5/hook' },
      { token },
    );
    assertValidation(moved, ['body', 'url']);
    const list = await strict.api.get('/api/v1/webhooks', { token });
    const urls = list.body.items.map((w: { url: string }) => w.url);
    assert.deepEqual(urls, [url]);

    // The server started with TASKLANE_WEBHOOK_ALLOW_PRIVATE=true accepts them all.
    const other = await registerUser(env.api, 'allowed');
    for (const url of PRIVATE_URLS) {
      const allowed = await createHook({ url, event_types: types }, other.token);
      const deleted = await ta('DELETE', `/webhooks/${allowed.id}`, undefined, other.token);
      assert.equal(deleted.status, 204);
    }
  });
});

describe('deliveries', () => {
  // A tenant per test: one test's events do not reach another's endpoints.
  beforeEach(async () => {
    user = await registerUser(env.api, 'deliveries');
  });

  /** The verified requests at `path` whose payload matches: one event's attempts. */
  const requestsFor = (path: string, match: (payload: any) => boolean) =>
    at(path).filter((r) => r.verified && match(r.payload));

  function assertRecovered(requests: Received[], failures: number, delivery: any, what: string) {
    const statuses = [...Array(failures).fill(500), 200];
    assert.deepEqual(
      requests.map((r) => r.status),
      statuses,
      `${what}: ${failures} × 500 then one 200`,
    );
    assert.equal(new Set(requests.map((r) => r.id)).size, 1, `${what}: one webhook-id`);
    assert.equal(new Set(requests.map((r) => r.body)).size, 1, `${what}: one body`);
    assert.equal(requests[0]!.id, delivery.id, `${what}: webhook-id is the delivery's id`);
    assert.equal(requests[0]!.payload.data.event_id, delivery.event_id, what);
    assert.match(requests[0]!.payload.timestamp, ISO, what);
    assert.match(requests[0]!.headers['webhook-signature']!, /^v1,/, what);
    assert.equal(delivery.status, 'delivered', what);
    assert.equal(delivery.attempts, failures + 1, what);
    assert.equal(delivery.last_status_code, 200, what);
    assert.match(delivery.delivered_at, ISO, what);
    assert.deepEqual(
      delivery.attempt_log.map((a: any) => [a.attempt, a.status_code]),
      statuses.map((status, i) => [i + 1, status]),
      `${what}: every attempt logged`,
    );
    const errors = delivery.attempt_log.map((a: any) => a.error);
    assert.ok(
      errors.slice(0, -1).every((e: string) => /500/.test(e)),
      what,
    );
    assert.equal(errors.at(-1), null, what);
  }

  test('task.created and agent.completed: signed, retried after 500s, acknowledged once', async () => {
    const types = ['task.created', 'agent.completed'];
    const spec = await subscribe('/retry/spec', types, (n) => (n <= 2 ? 500 : 200), SPEC_SECRET);
    const generated = await subscribe('/retry/generated', ['task.created'], (n) =>
      n <= 1 ? 500 : 200,
    );

    const taskId = await createTask('Analyze quarterly sales data');
    const agentBody = { name: 'Sales Analyst', model: 'gpt-4', tools: ['calculator'] };
    const agent = await created(ta('POST', '/agents', { ...agentBody, provider: 'openai' }));
    const run = await ta('POST', `/agents/${agent.id}/execute`, { input: 'Analyze Q4 sales' });
    assert.equal(run.status, 200, run.text);
    assert.equal(run.body.status, 'completed');

    const settled = (items: any[], n: number) =>
      items.length === n && items.every((d) => d.status === 'delivered') ? items : undefined;
    const specItems = await waitFor('both deliveries delivered', async () =>
      settled(await deliveries(spec.id), 2),
    );
    const genItems = await waitFor('the task.created delivery delivered', async () =>
      settled(await deliveries(generated.id), 1),
    );
    await sleep(SETTLE_MS);
    assert.deepEqual(await deliveries(spec.id), specItems, 'nothing changes once delivered');

    const isTask = (p: any) => p.type === 'task.created' && p.data.task_id === taskId;
    const isRun = (p: any) => p.type === 'agent.completed' && p.data.run_id === run.body.run_id;
    const ofType = (type: string) => specItems.find((d) => d.event_type === type);
    assertRecovered(requestsFor('/retry/spec', isTask), 2, ofType('task.created'), 'task.created');
    const runRequests = requestsFor('/retry/spec', isRun);
    assertRecovered(runRequests, 2, ofType('agent.completed'), 'agent.completed');
    const genRequests = requestsFor('/retry/generated', isTask);
    assertRecovered(genRequests, 1, genItems[0], 'task.created (generated secret)');
    const unverified = received.filter((r) => r.path.startsWith('/retry/') && !r.verified);
    assert.deepEqual(unverified, [], 'every request verifies');
    assert.equal(runRequests[0]!.payload.data.agent_id, agent.id);
    assert.equal(runRequests[0]!.payload.data.output, 'Done. The tools reported 42.');
    assert.deepEqual(runRequests[0]!.payload.data.tools_used, ['calculator']);

    // The signatures really are checked: another key or a changed body fails.
    const { body, headers } = genRequests[0]!;
    assert.throws(() => new Webhook(SPEC_SECRET, { format: 'raw' }).verify(body, headers));
    assert.throws(() => new Webhook(generated.secret).verify(`${body} `, headers));
  });

  test('a 410 disables the endpoint: no retry, no further deliveries; PATCH re-enables', async () => {
    let gone = true;
    const hook = await subscribe('/gone', ['task.created'], () => (gone ? 410 : 200), SPEC_SECRET);
    await subscribe('/sentinel', ['task.created'], () => 200);

    const first = await createTask('gone 1');
    const disabled = await waitFor('the endpoint disabled', async () => {
      const res = await ta('GET', `/webhooks/${hook.id}`);
      return res.body.is_active === false ? res.body : undefined;
    });
    assert.match(disabled.disabled_reason, /410/);

    const second = await createTask('gone 2');
    await waitFor('the sentinel to get the second task', async () =>
      at('/sentinel').some((r) => r.payload?.data.task_id === second) ? true : undefined,
    );
    await sleep(SETTLE_MS);
    assert.deepEqual(
      at('/gone').map((r) => [r.payload.data.task_id, r.status]),
      [[first, 410]],
      'one attempt, not retried, nothing after',
    );
    const items = await deliveries(hook.id);
    assert.equal(items.length, 1, 'a disabled endpoint gets no new deliveries');
    assert.equal(items[0].status, 'failed');
    assert.equal(items[0].attempts, 1);
    const codes = items[0].attempt_log.map((a: any) => a.status_code);
    assert.deepEqual(codes, [410]);

    const enabled = await ta('PATCH', `/webhooks/${hook.id}`, { is_active: true });
    assert.equal(enabled.status, 200, enabled.text);
    assert.equal(enabled.body.is_active, true);
    assert.equal(enabled.body.disabled_reason, null);
    gone = false;
    const third = await createTask('gone 3');
    await waitFor('a delivery after re-enabling', async () =>
      at('/gone').some((r) => r.status === 200 && r.payload.data.task_id === third)
        ? true
        : undefined,
    );
  });

  test('POST /webhooks/{id}/test sends a signed webhook.test now and reports it', async () => {
    let status = 200;
    const hook = await subscribe('/ping', ['agent.completed'], () => status);
    const path = `/webhooks/${hook.id}/test`;

    const ok = await ta('POST', path);
    assert.equal(ok.status, 200, ok.text);
    const { delivery_id, duration_ms, ...outcome } = ok.body;
    assert.deepEqual(outcome, { success: true, status_code: 200, error: null, attempt: 1 });
    assert.ok(Number.isInteger(duration_ms) && duration_ms >= 0);
    assert.equal(at('/ping').length, 1, 'sent before the answer');
    const [sent] = at('/ping');
    assert.equal(sent!.verified, true);
    assert.equal(sent!.id, delivery_id);
    assert.equal(sent!.payload.type, 'webhook.test');
    assert.equal(sent!.payload.data.webhook_id, hook.id);

    status = 500;
    const failed = await ta('POST', path);
    assert.equal(failed.status, 200, failed.text);
    assert.equal(failed.body.success, false);
    assert.equal(failed.body.status_code, 500);
    assert.match(failed.body.error, /500/);
    assert.equal(failed.body.attempt, 1);
    await sleep(SETTLE_MS);
    const again = at('/ping').filter((r) => r.id === failed.body.delivery_id);
    assert.equal(again.length, 1, 'a test delivery is not retried');
    const byId = new Map((await deliveries(hook.id)).map((d) => [d.id, d]));
    assert.equal(byId.get(ok.body.delivery_id).status, 'delivered');
    assert.equal(byId.get(ok.body.delivery_id).event_type, 'webhook.test');
    assert.equal(byId.get(failed.body.delivery_id).status, 'failed');

    assertError(await ta('POST', `/webhooks/${MISSING_ID}/test`), 404, 'NOT_FOUND');
  });
});
