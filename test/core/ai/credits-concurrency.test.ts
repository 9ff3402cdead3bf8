/**
 * 20 agent runs at once against a balance that covers 10: holds are taken before each
 * step with one conditional update, so the settled spend never passes the balance by
 * more than one step.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createTask, getTask } from '../../../src/core/tasks/tasks.service.ts';
import type { Task } from '../../../src/core/tasks/tasks.types.ts';
import { newActor } from '../../helpers/actors.ts';
import { makeTempDir } from '../../helpers/db.ts';
import { useScriptedModel } from '../../helpers/mock-model.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

const OUTPUT_TOKENS = 20;
// Output at $10 per 1M tokens, input free: a step costs 20 × 10 = 200 micro-USD, and the
// hold before it (the step's output cap at the same price) is exactly that.
const STEP_COST = OUTPUT_TOKENS * 10;

let t: TestRuntime;
before(async () => {
  const catalog = path.join(makeTempDir(), 'catalog.json');
  fs.writeFileSync(
    catalog,
    JSON.stringify({
      models: [
        {
          key: 'openai/gpt-4o',
          provider: 'openai',
          name: 'gpt-4o',
          pricing: { input_per_1m: 0, cached_input_per_1m: 0, output_per_1m: 10, per_second: 0 },
        },
      ],
    }),
  );
  t = await startRuntime({
    workers: 8,
    env: {
      TASKLANE_MODEL_CATALOG: catalog,
      TASKLANE_AGENT_STEP_OUTPUT_TOKENS: String(OUTPUT_TOKENS),
      // 2 credits = 2,000 micro-USD: ten steps' worth.
      TASKLANE_CREDITS_FREE: '2',
      TASKLANE_TENANT_CONCURRENCY: '0',
      // A lease that runs out on a loaded machine re-runs a step that was really paid
      // for (at-least-once); this test is about concurrent holds, not lease expiry.
      TASKLANE_JOB_LEASE_MS: '60000',
    },
  });
});
after(() => t.close());

test('20 concurrent runs against a balance for 10: spend ≤ balance + one step', async () => {
  useScriptedModel(t, () => ({
    text: 'ok',
    inputTokens: 50,
    outputTokens: OUTPUT_TOKENS,
    delayMs: 50,
  }));
  const { actor, ctx } = await newActor(t, { dailyLimit: 100 });
  const created = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      createTask(ctx, { kind: 'agent', prompt: `run ${i}`, toolset: [], source: 'test' }),
    ),
  );
  const done: Task[] = [];
  for (const task of created) {
    for (;;) {
      const current = await getTask(ctx, task.id);
      if (current.status === 'succeeded' || current.status === 'failed') {
        done.push(current);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const succeeded = done.filter((d) => d.status === 'succeeded');
  const refused = done.filter((d) => d.status === 'failed');
  for (const task of refused) assert.match(task.errorMessage ?? '', /Not enough credits/);
  const account = await t.runtime.database.db
    .selectFrom('credit_accounts')
    .selectAll()
    .where('user_id', '=', actor.userId)
    .executeTakeFirstOrThrow();
  const balance = 2000;
  assert.equal(account.allotted_micro_usd, balance);
  assert.equal(account.reserved_micro_usd, 0, 'no hold is left behind');
  assert.equal(account.consumed_micro_usd, succeeded.length * STEP_COST);
  assert.ok(
    account.consumed_micro_usd <= balance + STEP_COST,
    `spent ${account.consumed_micro_usd}`,
  );
  assert.equal(succeeded.length, 10, 'exactly the ten runs the balance covers went through');
  assert.equal(refused.length, 10);
});
