/**
 * `/usage/track` under concurrency: 50 parallel calls against a balance that covers
 * 10. No plan allows overage, so exactly 10 are booked (200) and 40 refused (402), and
 * the balance is exactly what the ledger says: never below zero.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertError, type CgEnv, registerUser, startCodeGuide, TEXT_MODEL } from './support.ts';

let env: CgEnv;

before(async () => {
  env = await startCodeGuide({ workers: 0, env: { TASKLANE_CREDITS_FREE: '100' } });
});
after(() => env?.close());

test('50 parallel tracks against credits for 10: 10 booked, 40 refused, ledger = balance', async () => {
  const user = await registerUser(env.api, 'race');
  const body = {
    model_key: `default/${TEXT_MODEL}`,
    input_tokens: 10,
    output_tokens: 10,
    cost_amount: 10,
  };
  const results = await Promise.all(
    Array.from({ length: 50 }, () => env.api.post('/v1/usage/track', body, user.auth)),
  );
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status !== 200);
  assert.equal(ok.length, 10, results.map((r) => `${r.status}`).join(','));
  for (const res of refused) assertError(res, 402, /Not enough credits/);
  assert.deepEqual(
    ok.map((r) => r.body.remaining_credits).sort((a, b) => a - b),
    [0, 10, 20, 30, 40, 50, 60, 70, 80, 90],
  );

  const balance = await env.api.get('/v1/usage/credit-balance', user.auth);
  assert.equal(balance.body.total_consumed, 100);
  assert.equal(balance.body.remaining_credits, 0);
  assert.equal(balance.body.utilization_percentage, 100);
  const summary = await env.api.get('/v1/usage/summary', user.auth);
  assert.equal(summary.body.usage_summary.total_calls, 10);
  assert.equal(summary.body.usage_summary.total_credits_used, 100);

  const free = await env.api.get('/v1/usage/free-user-status', user.auth);
  assert.equal(free.body.has_available_credits, false);
  // Zero-cost usage is still booked with no credits left.
  const zero = await env.api.post('/v1/usage/track', { ...body, cost_amount: 0 }, user.auth);
  assert.equal(zero.status, 200, zero.text);
  assert.equal(zero.body.credits_used, 0);
});
