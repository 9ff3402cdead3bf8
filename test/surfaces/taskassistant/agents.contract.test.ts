/**
 * Task Assistant agents against specs/taskassistant-v1.md: CRUD, tools, `execute` (now,
 * or in the background and polled), runs, with usage and tools as the model reported.
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
  ISO,
  MISSING_ID,
  PRICE,
  registerUser,
  startTaskAssistant,
  type TaEnv,
  type TaUser,
  UUID,
  waitFor,
  withCalls,
} from './support.ts';

const SPEC_AGENT = {
  name: 'Sales Analyst',
  description: 'Analyzes sales data and generates insights',
  instructions:
    'You are a sales analyst. Analyze data and provide actionable insights with specific numbers.',
  provider: 'openai',
  model: 'gpt-4',
  temperature: 0.5,
  tools: ['calculator', 'search'],
  metadata: { department: 'sales' },
};
const RUN_KEYS = [
  'run_id',
  'status',
  'output',
  'tokens_used',
  'cost',
  'execution_time_ms',
  'tools_used',
  'created_at',
  'completed_at',
];

let env: TaEnv;
let user: TaUser;
before(async () => {
  env = await startTaskAssistant({ llm: true });
  user = await registerUser(env.api, 'agents');
});
after(() => env?.close());

async function newAgent(body: object = SPEC_AGENT, token = user.token) {
  const res = await env.api.post('/api/v1/agents', body, { token });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string };
}

/** Tokens and cost of a run as the fixture charged them, replaying its script. */
function expectedUsage(calls: FixtureRequest[], input: string) {
  let tokens = 0;
  let micro = 0;
  for (const call of calls) {
    const prompt = Math.ceil(JSON.stringify(call.messages).length / 4);
    const toolResults = call.messages.some((m) => m.role === 'tool');
    const callsTools = !toolResults && (call.tools?.length ?? 0) > 0;
    const text = toolResults ? 'Done. The tools reported 42.' : `You said: ${input}`;
    const completion = callsTools ? 12 : text.split(/\s+/).length;
    tokens += prompt + completion;
    micro += Math.round(prompt * PRICE.input_per_1m + completion * PRICE.output_per_1m);
  }
  return { tokens, cost: micro / 1e6 };
}

function assertRun(run: Record<string, any>, context = '') {
  for (const key of RUN_KEYS) assert.ok(key in run, `${context} run has ${key}`);
  assert.match(run.run_id, UUID);
  assert.match(run.created_at, ISO);
  assert.equal(typeof run.tokens_used, 'number');
  assert.equal(typeof run.cost, 'number');
  assert.ok(Array.isArray(run.tools_used));
}

describe('agents CRUD', () => {
  test("POST 201 with exactly the spec's keys; GET, list, PATCH, PUT, DELETE", async () => {
    const { api } = env;
    const res = await api.post('/api/v1/agents', SPEC_AGENT, { token: user.token });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'created_at',
      'description',
      'id',
      'is_active',
      'model',
      'name',
      'provider',
    ]);
    assert.match(res.body.id, UUID);
    assert.equal(res.body.name, SPEC_AGENT.name);
    assert.equal(res.body.description, SPEC_AGENT.description);
    assert.equal(res.body.provider, 'openai');
    assert.equal(res.body.model, 'gpt-4');
    assert.equal(res.body.is_active, true);
    assert.match(res.body.created_at, ISO);

    const path = `/api/v1/agents/${res.body.id}`;
    const got = await api.get(path, { token: user.token });
    assert.equal(got.status, 200);
    for (const key of Object.keys(res.body)) assert.equal(got.body[key], res.body[key], key);
    assert.equal(got.body.instructions, SPEC_AGENT.instructions);
    assert.equal(got.body.temperature, 0.5);
    assert.deepEqual(got.body.tools, SPEC_AGENT.tools);
    assert.deepEqual(got.body.metadata, SPEC_AGENT.metadata);

    const list = await api.get('/api/v1/agents', { token: user.token });
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body).sort(), ['items', 'limit', 'offset', 'total']);
    assert.ok(list.body.items.some((a: { id: string }) => a.id === res.body.id));
    assert.equal(list.body.total, list.body.items.length);

    const patched = await api.patch(
      path,
      { name: 'Renamed', tools: ['calculator'], is_active: false },
      { token: user.token },
    );
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.name, 'Renamed');
    assert.deepEqual(patched.body.tools, ['calculator']);
    assert.equal(patched.body.is_active, false);
    assert.equal(patched.body.description, SPEC_AGENT.description);
    const put = await api.put(path, { description: null, is_active: true }, { token: user.token });
    assert.equal(put.status, 200, put.text);
    assert.equal(put.body.description, null);
    assert.equal(put.body.is_active, true);
    assert.equal((await api.get(path, { token: user.token })).body.name, 'Renamed');

    const del = await api.delete(path, { token: user.token });
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assertError(await api.get(path, { token: user.token }), 404, 'NOT_FOUND');
    assertError(await api.get(`${path}/runs`, { token: user.token }), 404, 'NOT_FOUND');
    assertError(
      await api.post(`${path}/execute`, { input: 'x' }, { token: user.token }),
      404,
      'NOT_FOUND',
    );
    assertError(await api.delete(path, { token: user.token }), 404, 'NOT_FOUND');
    assertError(
      await api.get(`/api/v1/agents/${MISSING_ID}`, { token: user.token }),
      404,
      'NOT_FOUND',
    );
  });

  test('an unknown tool, provider or model is a 422', async () => {
    const { api } = env;
    const res = await api.post(
      '/api/v1/agents',
      { ...SPEC_AGENT, tools: ['calculator', 'teleporter'] },
      { token: user.token },
    );
    assertValidation(res, ['body', 'tools']);
    assert.match(JSON.stringify(res.body.detail), /teleporter/);
    const agent = await newAgent();
    const patch = await api.patch(
      `/api/v1/agents/${agent.id}`,
      { tools: ['mind_reader'] },
      { token: user.token },
    );
    assertValidation(patch, ['body', 'tools']);
    const got = await api.get(`/api/v1/agents/${agent.id}`, { token: user.token });
    assert.deepEqual(got.body.tools, SPEC_AGENT.tools);
    const provider = await api.post(
      '/api/v1/agents',
      { ...SPEC_AGENT, provider: 'anthropic' },
      { token: user.token },
    );
    assertValidation(provider);
    assert.match(JSON.stringify(provider.body.detail), /openai/);
    const model = await api.post(
      '/api/v1/agents',
      { ...SPEC_AGENT, model: 'gpt-5-ultra' },
      { token: user.token },
    );
    assertValidation(model);
    assert.match(JSON.stringify(model.body.detail), /gpt-4/);
  });

  test('bad input on POST /agents and POST /agents/{id}/execute', async () => {
    const before = env.fixture!.requests.length;
    await checkBadInput(
      env.server.url,
      {
        shape: 'taskassistant',
        method: 'POST',
        path: '/api/v1/agents',
        token: user.token,
        valid: { ...SPEC_AGENT, is_active: true },
        required: ['name'],
      },
      BODY_LIMIT,
    );
    const agent = await newAgent();
    await checkBadInput(
      env.server.url,
      {
        shape: 'taskassistant',
        method: 'POST',
        path: `/api/v1/agents/${agent.id}/execute`,
        token: user.token,
        valid: { input: 'Analyze Q4 2025', metadata: { product: 'X' }, background: false },
        required: ['input'],
      },
      BODY_LIMIT,
    );
    assert.equal(env.fixture!.requests.length, before, 'no bad request reached the model');
    const runs = await env.api.get(`/api/v1/agents/${agent.id}/runs`, { token: user.token });
    assert.equal(runs.body.total, 0);
  });
});

describe('execute and runs', () => {
  test('execute: 200 with the run; tools_used, tokens and cost are what the model did', async () => {
    const agent = await newAgent();
    const input = 'Analyze the sales performance for Product X in Q4 2025';
    const { value: res, calls } = await withCalls(env, () =>
      env.api.post(
        `/api/v1/agents/${agent.id}/execute`,
        { input, metadata: { product: 'Product X', quarter: 'Q4 2025' } },
        { token: user.token },
      ),
    );
    assert.equal(res.status, 200, res.text);
    assertRun(res.body);
    assert.equal(res.body.status, 'completed');
    assert.equal(res.body.output, 'Done. The tools reported 42.');
    // The fixture called every tool it was offered, then answered.
    assert.equal(calls.length, 2);
    assert.deepEqual(calls[0]!.tools?.map((t) => t.function.name).sort(), ['calculator', 'search']);
    assert.deepEqual([...res.body.tools_used].sort(), ['calculator', 'search']);
    assert.deepEqual(calls[0]!.messages[0], { role: 'system', content: SPEC_AGENT.instructions });
    assert.equal((calls[0] as any).temperature, 0.5);
    assert.equal(calls[0]!.model, 'llama3.1:8b');
    const usage = expectedUsage(calls, input);
    assert.equal(res.body.tokens_used, usage.tokens);
    assert.equal(res.body.cost, usage.cost);
    assert.ok(Number.isInteger(res.body.execution_time_ms) && res.body.execution_time_ms >= 0);
    assert.match(res.body.completed_at, ISO);
    assert.ok(Date.parse(res.body.completed_at) >= Date.parse(res.body.created_at));

    const got = await env.api.get(`/api/v1/agents/${agent.id}/runs/${res.body.run_id}`, {
      token: user.token,
    });
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, res.body);
  });

  test('tools_used follows the agent’s tools: one tool, or none', async () => {
    const one = await newAgent({ ...SPEC_AGENT, tools: ['calculator'] });
    const a = await withCalls(env, () =>
      env.api.post(
        `/api/v1/agents/${one.id}/execute`,
        { input: 'six times seven' },
        {
          token: user.token,
        },
      ),
    );
    assert.equal(a.value.status, 200, a.value.text);
    assert.deepEqual(a.value.body.tools_used, ['calculator']);
    assert.equal(a.value.body.output, 'Done. The tools reported 42.');
    assert.equal(a.value.body.tokens_used, expectedUsage(a.calls, 'six times seven').tokens);

    const none = await newAgent({ name: 'Plain', provider: 'openai', model: 'gpt-4' });
    const b = await withCalls(env, () =>
      env.api.post(`/api/v1/agents/${none.id}/execute`, { input: 'hello' }, { token: user.token }),
    );
    assert.equal(b.value.status, 200, b.value.text);
    assert.deepEqual(b.value.body.tools_used, []);
    assert.equal(b.value.body.output, 'You said: hello');
    assert.equal(b.calls.length, 1);
    assert.equal(b.calls[0]!.tools, undefined);
    assert.equal(b.value.body.tokens_used, expectedUsage(b.calls, 'hello').tokens);
  });

  test('background: 202 queued, then polled to completed; runs list newest first', async () => {
    const agent = await newAgent();
    const sync = await env.api.post(
      `/api/v1/agents/${agent.id}/execute`,
      { input: 'first' },
      { token: user.token },
    );
    assert.equal(sync.status, 200);
    const queued = await env.api.post(
      `/api/v1/agents/${agent.id}/execute`,
      { input: 'Analyze Q4 2025 sales performance', background: true },
      { token: user.token },
    );
    assert.equal(queued.status, 202, queued.text);
    assertRun(queued.body);
    assert.equal(queued.body.status, 'queued');
    assert.equal(queued.body.output, null);
    assert.equal(queued.body.completed_at, null);
    const path = `/api/v1/agents/${agent.id}/runs/${queued.body.run_id}`;
    const done = await waitFor('the background run', async () => {
      const res = await env.api.get(path, { token: user.token });
      assert.equal(res.status, 200, res.text);
      return ['queued', 'running'].includes(res.body.status) ? undefined : res.body;
    });
    assertRun(done);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.equal(done.output, 'Done. The tools reported 42.');
    assert.deepEqual([...done.tools_used].sort(), ['calculator', 'search']);
    assert.ok(done.tokens_used > 0 && done.cost > 0);
    assert.match(done.completed_at, ISO);
    assert.equal(done.run_id, queued.body.run_id);

    const runs = await env.api.get(`/api/v1/agents/${agent.id}/runs`, { token: user.token });
    assert.equal(runs.status, 200);
    assert.equal(runs.body.total, 2);
    assert.deepEqual(
      runs.body.items.map((r: { run_id: string }) => r.run_id),
      [queued.body.run_id, sync.body.run_id],
    );
    for (const run of runs.body.items) assertRun(run);
    const page = await env.api.get(`/api/v1/agents/${agent.id}/runs?limit=1&offset=1`, {
      token: user.token,
    });
    assert.deepEqual(
      page.body.items.map((r: { run_id: string }) => r.run_id),
      [sync.body.run_id],
    );
    assertError(
      await env.api.get(`/api/v1/agents/${agent.id}/runs/${MISSING_ID}`, { token: user.token }),
      404,
      'NOT_FOUND',
    );
  });

  test('tenant-mates share agents and runs; an inactive agent does not run', async () => {
    const admin = await registerUser(env.api, 'owner');
    const mate = await addMember(env.api, admin);
    const agent = await newAgent(
      { name: 'Shared', provider: 'openai', model: 'gpt-4' },
      admin.token,
    );
    const run = await env.api.post(
      `/api/v1/agents/${agent.id}/execute`,
      { input: 'hi' },
      { token: mate.token },
    );
    assert.equal(run.status, 200, run.text);
    const runs = await env.api.get(`/api/v1/agents/${agent.id}/runs`, { token: admin.token });
    assert.deepEqual(
      runs.body.items.map((r: { run_id: string }) => r.run_id),
      [run.body.run_id],
    );
    const list = await env.api.get('/api/v1/agents', { token: mate.token });
    assert.deepEqual(
      list.body.items.map((a: { id: string }) => a.id),
      [agent.id],
    );
    await env.api.patch(`/api/v1/agents/${agent.id}`, { is_active: false }, { token: admin.token });
    const refused = await env.api.post(
      `/api/v1/agents/${agent.id}/execute`,
      { input: 'hi' },
      { token: mate.token },
    );
    assertError(refused, 409, 'CONFLICT');
  });
});
