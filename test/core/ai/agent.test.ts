/**
 * The agent runner end to end in the core, with the AI SDK's mock model: tasks of kind
 * `agent` run by a real worker, tools in the real sandbox, usage in the real ledger.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { DomainError } from '../../../src/core/errors.ts';
import { listSubjectEvents } from '../../../src/core/events/events.repo.ts';
import { listTaskFiles } from '../../../src/core/files/files.service.ts';
import { cancelTask, createTask, getTask } from '../../../src/core/tasks/tasks.service.ts';
import type { Task } from '../../../src/core/tasks/tasks.types.ts';
import { newActor } from '../../helpers/actors.ts';
import { useScriptedModel } from '../../helpers/mock-model.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

let t: TestRuntime;
before(async () => {
  t = await startRuntime({ workers: 2, env: { TASKLANE_SANDBOX_TIMEOUT_MS: '30000' } });
});
after(() => t.close());

async function settled(
  ctx: Parameters<typeof getTask>[0],
  id: string,
  timeoutMs = 30_000,
): Promise<Task> {
  const start = Date.now();
  for (;;) {
    const task = await getTask(ctx, id);
    if (['succeeded', 'failed', 'cancelled'].includes(task.status)) return task;
    if (Date.now() - start > timeoutMs) throw new Error(`task still ${task.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function ledger(taskId: string) {
  return t.runtime.database.db
    .selectFrom('usage_records')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

const agentTask = (
  prompt: string,
  toolset: string[],
  parameters: Record<string, unknown> = {},
) => ({
  kind: 'agent',
  prompt,
  toolset,
  parameters: { model: 'gpt-4o', ...parameters },
  source: 'test',
});

test('two steps: the model calls code_executor, reads its output and answers; usage and cost match the catalog', async () => {
  const scripted = useScriptedModel(t, (call) =>
    call.n === 1
      ? {
          toolCalls: [
            { name: 'code_executor', input: { language: 'python', code: 'print(6 * 7)' } },
          ],
          inputTokens: 1200,
          cachedInputTokens: 200,
          outputTokens: 30,
        }
      : {
          text: `The answer is ${call.toolOutputs[0]?.match(/42/)?.[0]}`,
          inputTokens: 1500,
          outputTokens: 12,
        },
  );
  const { ctx } = await newActor(t);
  const created = await createTask(ctx, agentTask('What is 6*7? Use python.', ['code_executor']));
  const done = await settled(ctx, created.id);
  assert.equal(done.status, 'succeeded', done.errorMessage ?? '');
  assert.equal(done.result, 'The answer is 42');
  assert.equal(scripted.calls.length, 2);
  // The second call saw the tool's stdout.
  assert.match(scripted.calls[1]!.toolOutputs[0]!, /42\\n/);

  const files = await listTaskFiles(ctx, created.id);
  const names = files.map((f) => f.name).sort();
  assert.deepEqual(names, ['output.json', 'result.txt']);

  // One progress event per step, with the tool called and the tokens so far.
  const events = await listSubjectEvents(ctx, created.id);
  const steps = events.filter((e) => e.type === 'task.progress' && (e.payload as any).step);
  assert.deepEqual(
    steps.map((e) => [
      (e.payload as any).step,
      (e.payload as any).tools,
      (e.payload as any).total_tokens,
      (e.payload as any).tokens_so_far,
    ]),
    [
      [1, ['code_executor'], 1230, 1230],
      [2, [], 1512, 2742],
    ],
  );

  // gpt-4o: $2.50 in, $1.25 cached in, $10 out per 1M tokens → micro-USD = tokens × price.
  const rows = await ledger(created.id);
  const llm = rows.filter((r) => r.kind === 'llm');
  assert.deepEqual(
    llm.map((r) => [
      r.model_key,
      r.input_tokens,
      r.cached_input_tokens,
      r.output_tokens,
      r.cost_micro_usd,
    ]),
    [
      ['openai/gpt-4o', 1200, 200, 30, 1000 * 2.5 + 200 * 1.25 + 30 * 10],
      ['openai/gpt-4o', 1500, 0, 12, 1500 * 2.5 + 12 * 10],
    ],
  );
  const sandbox = rows.filter((r) => r.kind === 'sandbox');
  assert.equal(sandbox.length, 1);
  assert.ok(sandbox[0]!.duration_ms > 0);
  // $0.00002 per sandbox second.
  assert.equal(
    sandbox[0]!.cost_micro_usd,
    Math.round((sandbox[0]!.duration_ms / 1000) * 0.00002 * 1e6),
  );
  assert.equal(rows.filter((r) => r.kind === 'task').length, 1);

  // The credit account booked exactly what the ledger says, and holds nothing.
  const account = await t.runtime.database.db
    .selectFrom('credit_accounts')
    .selectAll()
    .where('user_id', '=', done.userId)
    .executeTakeFirstOrThrow();
  assert.equal(
    account.consumed_micro_usd,
    rows.reduce((sum, r) => sum + r.cost_micro_usd, 0),
  );
  assert.equal(account.reserved_micro_usd, 0);
});

test('a tool error is fed back to the model, which recovers', async () => {
  const scripted = useScriptedModel(t, (call) =>
    call.n === 1
      ? { toolCalls: [{ name: 'file_reader', input: { path: '../../etc/passwd' } }] }
      : { text: `could not read: ${call.toolOutputs[0]}` },
  );
  const { ctx } = await newActor(t);
  const done = await settled(
    ctx,
    (await createTask(ctx, agentTask('read it', ['file_reader']))).id,
  );
  assert.equal(done.status, 'succeeded');
  assert.match(String(done.result), /leaves the workspace|outside/i);
  assert.equal(scripted.calls.length, 2);
});

test('the step limit holds: a model that never stops calling tools is stopped with a clear error', async () => {
  const scripted = useScriptedModel(t, () => ({
    toolCalls: [{ name: 'calculator', input: { expression: '1+1' } }],
  }));
  const { ctx } = await newActor(t);
  const done = await settled(
    ctx,
    (await createTask(ctx, agentTask('loop', ['calculator'], { max_steps: 3 }))).id,
  );
  assert.equal(done.status, 'failed');
  assert.match(done.errorMessage ?? '', /step limit \(3\)/);
  assert.equal(scripted.calls.length, 3);
  const files = (await listTaskFiles(ctx, done.id)).map((f) => f.name).sort();
  assert.deepEqual(files, ['error.log', 'output.json']);
});

test('the token budget stops the run between steps', async () => {
  const scripted = useScriptedModel(t, () => ({
    toolCalls: [{ name: 'calculator', input: { expression: '2^10' } }],
    inputTokens: 70,
    outputTokens: 10,
  }));
  const { ctx } = await newActor(t);
  const done = await settled(
    ctx,
    (await createTask(ctx, agentTask('spend', ['calculator'], { max_tokens: 150 }))).id,
  );
  assert.equal(done.status, 'failed');
  assert.match(done.errorMessage ?? '', /Token budget of 150 exhausted after 2 steps/);
  assert.equal(scripted.calls.length, 2);
});

test('the cost budget and the credit balance stop runs too', async () => {
  useScriptedModel(t, () => ({
    toolCalls: [{ name: 'calculator', input: { expression: '1' } }],
    inputTokens: 10_000,
    outputTokens: 1000,
  }));
  const { ctx } = await newActor(t);
  // 10k in + 1k out on gpt-4o = $0.035 a step; a $0.05 budget allows two.
  const done = await settled(
    ctx,
    (await createTask(ctx, agentTask('spend', ['calculator'], { max_cost_usd: 0.05 }))).id,
  );
  assert.equal(done.status, 'failed');
  assert.match(done.errorMessage ?? '', /Cost budget of \$0\.050000 exhausted after 2 steps/);

  // A user whose credits cannot cover the step's estimate is refused before the model is called.
  const scripted = useScriptedModel(t, () => ({ text: 'never' }));
  const poor = await newActor(t);
  await t.runtime.database.db
    .insertInto('credit_accounts')
    .values({
      user_id: poor.actor.userId,
      cycle_start: Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1),
      cycle_end: Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1),
      plan: 'free',
      allotted_micro_usd: 1_000_000,
      consumed_micro_usd: 999_000,
      reserved_micro_usd: 0,
      updated_at: Date.now(),
    })
    .execute();
  const broke = await settled(poor.ctx, (await createTask(poor.ctx, agentTask('hi', []))).id);
  assert.equal(broke.status, 'failed');
  assert.match(broke.errorMessage ?? '', /Not enough credits/);
  assert.equal(scripted.calls.length, 0);
});

test('cancelling mid-run stops the loop and kills the sandbox', async () => {
  const marker = `${process.pid}${Date.now() % 100000}`;
  const scripted = useScriptedModel(t, () => ({
    toolCalls: [{ name: 'code_executor', input: { language: 'bash', code: `sleep 3${marker}` } }],
  }));
  const { ctx } = await newActor(t);
  const created = await createTask(ctx, agentTask('sleep', ['code_executor']));
  const running = () => {
    try {
      return execFileSync('pgrep', ['-f', `sleep 3${marker}`], { encoding: 'utf8' }).trim() !== '';
    } catch {
      return false;
    }
  };
  const start = Date.now();
  while (!running()) {
    if (Date.now() - start > 15_000) throw new Error('the sandboxed command never started');
    await new Promise((r) => setTimeout(r, 50));
  }
  await cancelTask(ctx, created.id);
  const done = await settled(ctx, created.id);
  assert.equal(done.status, 'cancelled');
  const gone = Date.now();
  while (running()) {
    if (Date.now() - gone > 5000) throw new Error('the sandbox survived the cancel');
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(scripted.calls.length, 1);
});

test('agent tasks are refused at once: unknown tool, unknown model, no provider', async () => {
  useScriptedModel(t, () => ({ text: 'x' }));
  const { ctx } = await newActor(t);
  await assert.rejects(
    createTask(ctx, agentTask('x', ['code_executor', 'teleport'])),
    (e: unknown) =>
      e instanceof DomainError && e.code === 'validation' && /teleport/.test(e.message),
  );
  await assert.rejects(
    createTask(ctx, agentTask('x', [], { provider: 'nope' })),
    (e: unknown) =>
      e instanceof DomainError &&
      /Provider "nope" is not configured; available: .*openai/.test(e.message),
  );

  const bare = await startRuntime();
  try {
    const other = await newActor(bare);
    await assert.rejects(
      createTask(other.ctx, agentTask('x', [])),
      (e: unknown) =>
        e instanceof DomainError &&
        e.code === 'validation' &&
        /No AI provider is configured/.test(e.message),
    );
    const tasks = await bare.runtime.database.db.selectFrom('tasks').select('id').execute();
    assert.equal(tasks.length, 0, 'nothing was accepted');
  } finally {
    await bare.close();
  }
});
