/**
 * CodeGuide usage and credits, field by field against the spec's examples: track,
 * credit-balance, credit-check, calculate, summary, authorization, free-user-status,
 * codespace track and task usage, health; the same ledger the server's own LLM calls
 * use. Prices come from the test catalog (support.ts): 30 USD per 1M input tokens and
 * 60 per 1M output, so 1,000 input tokens cost 30 credits and 500 output tokens 30.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertError,
  type CgEnv,
  type CgUser,
  ISO,
  MISSING_ID,
  registerUser,
  startCodeGuide,
  TEXT_MODEL,
  UUID,
} from './support.ts';

const MODEL = `default/${TEXT_MODEL}`;
const ALLOTTED = 1_000_000;
let env: CgEnv;
let user: CgUser;
let other: CgUser;

const today = () => new Date().toISOString().slice(0, 10);
const monthStart = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString();
};
const monthEnd = () => {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString();
};

before(async () => {
  env = await startCodeGuide({ workers: 0, env: { TASKLANE_CREDITS_FREE: String(ALLOTTED) } });
  user = await registerUser(env.api, 'usage');
  other = await registerUser(env.api, 'usageother');
});
after(() => env?.close());

test('health answers without credentials', async () => {
  const res = await env.api.get('/v1/usage/health');
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), ['status', 'timestamp', 'version']);
  assert.equal(res.body.status, 'healthy');
  assert.match(res.body.timestamp, ISO);
  assert.equal(res.body.version, '1.0.0');
});

test('calculate and credit-check price from the catalog, with a per-component breakdown', async () => {
  const q = `model_key=${encodeURIComponent(MODEL)}&input_tokens=1000&output_tokens=500&call_seconds=2`;
  const calc = await env.api.get(`/v1/usage/calculate?${q}`, user.auth);
  assert.equal(calc.status, 200, calc.text);
  assert.deepEqual(calc.body, {
    model_key: MODEL,
    estimated_cost: 60,
    calculation_breakdown: { input_cost: 30, output_cost: 30, time_cost: 0, total_cost: 60 },
  });
  const given = await env.api.get(`/v1/usage/calculate?${q}&cost_amount=5.5`, user.auth);
  assert.equal(given.body.estimated_cost, 5.5);
  assert.equal(given.body.calculation_breakdown.total_cost, 5.5);
  assert.equal(given.body.calculation_breakdown.input_cost, 30);

  const check = await env.api.get(`/v1/usage/credit-check?${q}`, user.auth);
  assert.equal(check.status, 200, check.text);
  assert.deepEqual(check.body, {
    has_sufficient_credits: true,
    estimated_cost: 60,
    remaining_credits: ALLOTTED,
    model_key: MODEL,
  });
  const huge = await env.api.get(
    `/v1/usage/credit-check?model_key=${encodeURIComponent(MODEL)}&output_tokens=999999999`,
    user.auth,
  );
  assert.equal(huge.body.has_sufficient_credits, false);
  assert.equal(huge.body.estimated_cost, 59_999_999.94);
  // Nothing was booked by either.
  const balance = await env.api.get('/v1/usage/credit-balance', user.auth);
  assert.equal(balance.body.total_consumed, 0);
});

test('track books usage in the ledger; balance, summary and free-user-status show it', async () => {
  const me = await registerUser(env.api, 'tracker');
  const res = await env.api.post(
    '/v1/usage/track',
    { model_key: MODEL, input_tokens: 1000, output_tokens: 500, call_seconds: 2 },
    me.auth,
  );
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), [
    'credits_used',
    'message',
    'remaining_credits',
    'success',
  ]);
  assert.equal(res.body.success, true);
  assert.equal(res.body.credits_used, 60);
  assert.equal(res.body.remaining_credits, ALLOTTED - 60);
  assert.match(res.body.message, /60/);
  const given = await env.api.post(
    '/v1/usage/track',
    { model_key: MODEL, input_tokens: 0, output_tokens: 0, cost_amount: 0.5 },
    me.bearer,
  );
  assert.equal(given.status, 200, given.text);
  assert.equal(given.body.credits_used, 0.5);

  const balance = await env.api.get('/v1/usage/credit-balance', me.auth);
  assert.equal(balance.status, 200, balance.text);
  assert.deepEqual(balance.body, {
    user_id: me.uuid,
    total_consumed: 60.5,
    total_allotted: ALLOTTED,
    remaining_credits: ALLOTTED - 60.5,
    utilization_percentage: 0.01,
    billing_cycle_start: monthStart(),
    billing_cycle_end: monthEnd(),
    subscription: { plan: 'free', status: 'active' },
  });

  const summary = await env.api.get('/v1/usage/summary', me.auth);
  assert.equal(summary.status, 200, summary.text);
  const figures = {
    calls: 2,
    credits_used: 60.5,
    input_tokens: 1000,
    output_tokens: 500,
    call_seconds: 2,
  };
  assert.deepEqual(summary.body, {
    user_id: me.uuid,
    period: { start_date: monthStart().slice(0, 10), end_date: today() },
    usage_summary: {
      total_credits_used: 60.5,
      total_calls: 2,
      model_breakdown: { [MODEL]: figures },
      daily_usage: [{ date: today(), ...figures }],
    },
    subscription: { plan: 'free', status: 'active' },
  });
  const past = await env.api.get(
    '/v1/usage/summary?start_date=2020-01-01&end_date=2020-01-31',
    me.auth,
  );
  assert.equal(past.status, 200, past.text);
  assert.deepEqual(past.body.period, { start_date: '2020-01-01', end_date: '2020-01-31' });
  assert.equal(past.body.usage_summary.total_calls, 0);
  assert.deepEqual(past.body.usage_summary.model_breakdown, {});
  assert.deepEqual(past.body.usage_summary.daily_usage, []);

  const free = await env.api.get('/v1/usage/free-user-status', me.auth);
  assert.deepEqual(free.body, {
    is_free_user: true,
    has_available_credits: true,
    credits_remaining: ALLOTTED - 60.5,
    credits_expire_at: monthEnd(),
  });
  // Another user's numbers are untouched.
  const theirs = await env.api.get('/v1/usage/credit-balance', other.auth);
  assert.equal(theirs.body.total_consumed, 0);
  assert.equal(theirs.body.user_id, other.uuid);
});

test('the server’s own generation calls land in the same ledger', async () => {
  const me = await registerUser(env.api, 'gen');
  const gen = await env.api.post('/v1/generate/title', { description: 'a todo app' }, me.auth);
  assert.equal(gen.status, 200, gen.text);
  const summary = await env.api.get('/v1/usage/summary', me.auth);
  assert.equal(summary.body.usage_summary.total_calls, 1);
  assert.ok(summary.body.usage_summary.total_credits_used > 0);
  const balance = await env.api.get('/v1/usage/credit-balance', me.auth);
  assert.equal(balance.body.total_consumed, summary.body.usage_summary.total_credits_used);
});

test('authorization shows the plan, its features, limits and permissions', async () => {
  const res = await env.api.get('/v1/usage/authorization', user.auth);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, {
    user_id: user.uuid,
    subscription: {
      plan: 'free',
      status: 'active',
      features: ['document_generation', 'projects', 'task_management'],
    },
    usage_limits: { monthly_credits: ALLOTTED, max_calls_per_day: 100 },
    permissions: ['generate:documents', 'projects:write', 'usage:read'],
  });
});

test('codespace track and task usage; another user’s task is a 404', async () => {
  const project = await env.api.post('/v1/projects', { title: 'P', description: 'D' }, user.auth);
  const task = await env.api.post(
    '/v1/codespace/tasks',
    {
      project_id: project.body.data.id,
      repository_url: 'https://git.example.com/acme/app.git',
      task_description: 'Add a README',
    },
    user.auth,
  );
  assert.equal(task.status, 201, task.text);
  const id = task.body.id;
  const track = await env.api.post(
    '/v1/usage/codespace/track',
    {
      codespace_task_id: id,
      model_key: MODEL,
      input_tokens: 2000,
      output_tokens: 1000,
      call_seconds: 1.5,
    },
    user.auth,
  );
  assert.equal(track.status, 200, track.text);
  assert.match(track.body.id, UUID);
  assert.match(track.body.created_at, ISO);
  const { id: recordId, created_at, ...rest } = track.body;
  assert.deepEqual(rest, {
    codespace_task_id: id,
    user_id: user.uuid,
    model_key: MODEL,
    input_tokens: 2000,
    output_tokens: 1000,
    call_seconds: 1.5,
    cost_amount: 120,
  });
  await env.api.post(
    '/v1/usage/codespace/track',
    { codespace_task_id: id, model_key: MODEL, input_tokens: 1, output_tokens: 0, cost_amount: 2 },
    user.auth,
  );
  const usage = await env.api.get(`/v1/usage/codespace/task/${id}`, user.auth);
  assert.equal(usage.status, 200, usage.text);
  assert.deepEqual(usage.body.total_usage, {
    total_input_tokens: 2001,
    total_output_tokens: 1000,
    total_call_seconds: 1.5,
    total_cost: 122,
  });
  assert.equal(usage.body.codespace_task_id, id);
  assert.equal(usage.body.usage_records.length, 2);
  assert.deepEqual(usage.body.usage_records[0], { id: recordId, created_at, ...rest });

  assertError(await env.api.get(`/v1/usage/codespace/task/${id}`, other.auth), 404);
  assertError(await env.api.get(`/v1/usage/codespace/task/${MISSING_ID}`, user.auth), 404);
  assertError(
    await env.api.post(
      '/v1/usage/codespace/track',
      { codespace_task_id: id, model_key: MODEL, input_tokens: 1, output_tokens: 1 },
      other.auth,
    ),
    404,
  );
  const theirs = await env.api.get('/v1/usage/credit-balance', other.auth);
  assert.equal(theirs.body.total_consumed, 0, 'nothing was charged to the other user');
});

test('unknown models, negative or non-numeric figures and malformed dates are 422', async () => {
  const before = (await env.api.get('/v1/usage/credit-balance', user.auth)).body.total_consumed;
  const body = { model_key: 'nope/unknown', input_tokens: 1, output_tokens: 1 };
  assertError(await env.api.post('/v1/usage/track', body, user.auth), 422, /model_key/);
  assertError(
    await env.api.get('/v1/usage/calculate?model_key=nope%2Funknown', user.auth),
    422,
    /model_key/,
  );
  assertError(
    await env.api.get('/v1/usage/credit-check?model_key=nope', user.auth),
    422,
    /model_key/,
  );
  assertError(await env.api.get('/v1/usage/credit-check', user.auth), 422, /model_key/);
  for (const bad of ['-1', 'NaN', 'abc', '1e99', 'Infinity'])
    assertError(
      await env.api.get(`/v1/usage/calculate?model_key=${MODEL}&input_tokens=${bad}`, user.auth),
      422,
      /input_tokens/,
    );
  for (const bad of [-1, Number.NaN, '5', 1.5])
    assertError(
      await env.api.post(
        '/v1/usage/track',
        { model_key: MODEL, input_tokens: bad, output_tokens: 1 },
        user.auth,
      ),
      422,
    );
  for (const q of [
    'start_date=2025-02-30',
    'start_date=yesterday',
    'end_date=2025-13-01',
    'start_date=2025-03-02&end_date=2025-03-01',
    'start_date=2020-01-01&end_date=2025-01-01',
  ])
    assertError(await env.api.get(`/v1/usage/summary?${q}`, user.auth), 422, /(start|end)_date/);
  for (const path of [
    '/v1/usage/credit-balance',
    '/v1/usage/summary',
    '/v1/usage/authorization',
    '/v1/usage/free-user-status',
    `/v1/usage/calculate?model_key=${MODEL}`,
    `/v1/usage/codespace/task/${MISSING_ID}`,
  ])
    assertError(await env.api.get(path), 401);
  assertError(await env.api.post('/v1/usage/track', { ...body, model_key: MODEL }), 401);
  const balance = await env.api.get('/v1/usage/credit-balance', user.auth);
  assert.equal(balance.body.total_consumed, before, 'nothing was booked');
});
