/**
 * Tasks end to end in the core: created with quota, run by a real worker in the real
 * sandbox, with artifacts, events in order, cancellation, retry, deletion.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DomainError } from '../../../src/core/errors.ts';
import { listSubjectEvents } from '../../../src/core/events/events.repo.ts';
import { listTaskFiles, storeFile } from '../../../src/core/files/files.service.ts';
import { consumeDailyQuota } from '../../../src/core/tasks/quota.ts';
import {
  cancelTask,
  createTask,
  deleteTask,
  getTask,
  listTasks,
  retryTask,
  taskQueueStats,
} from '../../../src/core/tasks/tasks.service.ts';
import type { Task } from '../../../src/core/tasks/tasks.types.ts';
import { newActor } from '../../helpers/actors.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

let t: TestRuntime;
before(async () => {
  t = await startRuntime({ workers: 2, env: { TASKLANE_SANDBOX_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

const isCode = (code: string) => (e: unknown) => e instanceof DomainError && e.code === code;

async function settled(
  ctx: Parameters<typeof getTask>[0],
  id: string,
  timeoutMs = 20_000,
): Promise<Task> {
  const start = Date.now();
  for (;;) {
    const task = await getTask(ctx, id);
    if (['succeeded', 'failed', 'cancelled'].includes(task.status)) return task;
    if (Date.now() - start > timeoutMs) throw new Error(`task still ${task.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a code task runs in the sandbox: stdout, exit code, out/ files as artifacts, events in order', async () => {
  const { ctx } = await newActor(t);
  const created = await createTask(ctx, {
    kind: 'code',
    title: 'hello',
    parameters: {
      language: 'python',
      source:
        'import json\nprint("hi")\nopen("out/report.json","w").write(json.dumps({"ok": True}))',
    },
    source: 'test',
  });
  assert.equal(created.status, 'queued');
  assert.equal(created.lane, 'normal');
  const done = await settled(ctx, created.id);
  assert.equal(done.status, 'succeeded', done.errorMessage ?? '');
  const result = done.result as Record<string, unknown>;
  assert.equal(result.stdout, 'hi\n');
  assert.equal(result.exit_code, 0);
  assert.equal(done.progress, 100);
  assert.ok(done.startedAt! >= done.createdAt && done.completedAt! >= done.startedAt!);
  const files = await listTaskFiles(ctx, done.id);
  assert.deepEqual(
    files.map((f) => [f.name, f.contentType]),
    [['report.json', 'application/json']],
  );
  assert.equal((await t.runtime.blobs.read(files[0]!.sha256)).toString(), '{"ok": true}');
  const events = await listSubjectEvents(ctx, done.id);
  assert.deepEqual(
    events.map((e) => e.type),
    ['task.created', 'task.started', 'task.progress', 'task.completed'],
  );
  assert.deepEqual(
    events.map((e) => e.subjectSeq),
    [1, 2, 3, 4],
  );
});

test('a failing program fails the task with its exit code and an error.log artifact', async () => {
  const { ctx } = await newActor(t);
  const task = await createTask(ctx, {
    kind: 'code',
    parameters: { language: 'bash', source: 'echo boom >&2; exit 7' },
    source: 'test',
  });
  const done = await settled(ctx, task.id);
  assert.equal(done.status, 'failed');
  assert.match(done.errorMessage!, /Exited with code 7: boom/);
  const files = await listTaskFiles(ctx, done.id);
  assert.deepEqual(
    files.map((f) => f.name),
    ['error.log'],
  );
});

test('data_processing: an uploaded CSV becomes JSON with records_processed', async () => {
  const { ctx, actor } = await newActor(t);
  await storeFile(ctx, {
    owner: { tenantId: actor.tenantId, userId: actor.userId },
    kind: 'upload',
    name: 'file.csv',
    data: 'name,amount\nwidget,3\ngadget,5\n"quoted, name",7\n',
  });
  const task = await createTask(ctx, {
    kind: 'data_processing',
    title: 'Process data',
    parameters: { input_file: 'file.csv', output_format: 'json' },
    source: 'test',
  });
  const done = await settled(ctx, task.id);
  assert.equal(done.status, 'succeeded', done.errorMessage ?? '');
  const [file] = await listTaskFiles(ctx, done.id);
  assert.equal(file!.name, 'processed_data.json');
  assert.deepEqual(done.result, {
    output_file: 'processed_data.json',
    records_processed: 3,
    file_id: file!.id,
  });
  assert.deepEqual(JSON.parse((await t.runtime.blobs.read(file!.sha256)).toString())[2], {
    name: 'quoted, name',
    amount: '7',
  });
});

test('a missing input file fails the task (it is not retried)', async () => {
  const { ctx } = await newActor(t);
  const task = await createTask(ctx, {
    kind: 'data_processing',
    parameters: { input_file: 'nope.csv' },
    source: 'test',
  });
  const done = await settled(ctx, task.id);
  assert.equal(done.status, 'failed');
  assert.match(done.errorMessage!, /Input file "nope.csv" not found/);
  assert.equal(done.attempts, 1);
});

test('cancelling a running task kills its sandbox', async () => {
  const { ctx } = await newActor(t);
  const task = await createTask(ctx, {
    kind: 'code',
    parameters: { language: 'bash', source: 'echo started; sleep 60' },
    source: 'test',
  });
  const startedAt = Date.now();
  for (;;) {
    if ((await getTask(ctx, task.id)).status === 'running') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const cancelled = await cancelTask(ctx, task.id);
  assert.equal(cancelled.status, 'cancelled');
  // The worker's job settles as cancelled soon (the sandbox was killed, not waited for).
  for (;;) {
    const job = await t.runtime.database.db
      .selectFrom('jobs')
      .select('status')
      .where('id', '=', task.jobId!)
      .executeTakeFirstOrThrow();
    if (job.status === 'cancelled') break;
    assert.ok(Date.now() - startedAt < 10_000, 'job still running');
    await new Promise((r) => setTimeout(r, 50));
  }
  const final = await getTask(ctx, task.id);
  assert.equal(final.status, 'cancelled');
  const types = (await listSubjectEvents(ctx, task.id)).map((e) => e.type);
  assert.equal(types.filter((x) => x === 'task.cancelled').length, 1);
  assert.ok(!types.includes('task.completed'));
});

test('cancelling a queued (scheduled) task: it never runs', async () => {
  const { ctx } = await newActor(t);
  const task = await createTask(ctx, {
    kind: 'code',
    parameters: { language: 'bash', source: 'true' },
    scheduledAt: Date.now() + 60_000,
    source: 'test',
  });
  assert.equal((await cancelTask(ctx, task.id)).status, 'cancelled');
  const job = await t.runtime.database.db
    .selectFrom('jobs')
    .select('status')
    .where('id', '=', task.jobId!)
    .executeTakeFirstOrThrow();
  assert.equal(job.status, 'cancelled');
});

test('retry of a failed task runs it again and counts the retry', async () => {
  const { ctx } = await newActor(t);
  const task = await createTask(ctx, {
    kind: 'code',
    parameters: {
      language: 'bash',
      source: 'test -f /workspace/flag || { touch /workspace/flag; exit 1; }',
    },
    source: 'test',
  });
  const failed = await settled(ctx, task.id);
  assert.equal(failed.status, 'failed');
  const retried = await retryTask(ctx, task.id);
  assert.equal(retried.status, 'queued');
  assert.equal(retried.retryCount, 1);
  // A fresh workspace each run: the flag is gone, so it fails again — as designed.
  const again = await settled(ctx, task.id);
  assert.equal(again.status, 'failed');
  await assert.rejects(
    retryTask(
      ctx,
      (
        await createTask(ctx, {
          kind: 'code',
          parameters: { language: 'bash', source: 'sleep 5' },
          scheduledAt: Date.now() + 60_000,
          source: 'test',
        })
      ).id,
    ),
    isCode('conflict'),
  );
});

test("another user's task is not found; the tenant scope shows teammates' tasks", async () => {
  const alice = await newActor(t);
  const bob = await newActor(t);
  const carol = await newActor(t, { tenantId: alice.actor.tenantId });
  const task = await createTask(alice.ctx, {
    kind: 'code',
    parameters: { language: 'bash', source: 'true' },
    source: 'test',
  });
  await assert.rejects(getTask(bob.ctx, task.id), isCode('not_found'));
  await assert.rejects(getTask(bob.ctx, task.id, 'tenant'), isCode('not_found'));
  await assert.rejects(getTask(carol.ctx, task.id, 'user'), isCode('not_found'));
  assert.equal((await getTask(carol.ctx, task.id, 'tenant')).id, task.id);
  await assert.rejects(cancelTask(bob.ctx, task.id), isCode('not_found'));
  await assert.rejects(deleteTask(bob.ctx, task.id), isCode('not_found'));
  await assert.rejects(getTask(bob.ctx, 'not-a-uuid'), isCode('not_found'));
});

test('list filters and paginates; delete removes the task and its files', async () => {
  const { ctx } = await newActor(t);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(
      (
        await createTask(ctx, {
          kind: 'code',
          priority: i % 2 ? 'high' : 'low',
          parameters: { language: 'bash', source: 'true' },
          scheduledAt: Date.now() + 60_000,
          source: 'test',
        })
      ).id,
    );
  }
  const page = await listTasks(ctx, { scope: 'user', limit: 2, offset: 1 });
  assert.equal(page.total, 5);
  assert.deepEqual(
    page.items.map((x) => x.id),
    [ids[3], ids[2]],
  );
  const high = await listTasks(ctx, { scope: 'user', priority: ['high'], limit: 10, offset: 0 });
  assert.equal(high.total, 2);
  await deleteTask(ctx, ids[0]!);
  await assert.rejects(getTask(ctx, ids[0]!), isCode('not_found'));
  assert.equal((await listTasks(ctx, { scope: 'user', limit: 10, offset: 0 })).total, 4);
});

test('the daily quota is race-free: 50 concurrent creates at quota−1, exactly 1 accepted', async () => {
  const { ctx, actor } = await newActor(t, { dailyLimit: 60 });
  for (let i = 0; i < 59; i++) await consumeDailyQuota(ctx, actor.userId, 60);
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, () =>
      createTask(ctx, {
        kind: 'code',
        parameters: { language: 'bash', source: 'true' },
        scheduledAt: Date.now() + 60_000,
        source: 'test',
      }),
    ),
  );
  const accepted = results.filter((r) => r.status === 'fulfilled');
  assert.equal(accepted.length, 1);
  for (const r of results) {
    if (r.status === 'rejected') {
      assert.ok(isCode('quota_exceeded')(r.reason), String(r.reason));
      assert.deepEqual(r.reason.details, { daily_limit: 60, used_today: 60 });
    }
  }
  assert.equal((await listTasks(ctx, { scope: 'user', limit: 100, offset: 0 })).total, 1);
});

test('bad parameters and unknown kinds are refused at creation', async () => {
  const { ctx } = await newActor(t);
  await assert.rejects(createTask(ctx, { kind: 'teleport', source: 'test' }), isCode('validation'));
  await assert.rejects(
    createTask(ctx, {
      kind: 'code',
      parameters: { language: 'cobol', source: 'x' },
      source: 'test',
    }),
    isCode('validation'),
  );
  await assert.rejects(
    createTask(ctx, { kind: 'code', parameters: { language: 'bash' }, source: 'test' }),
    isCode('validation'),
  );
  await assert.rejects(
    createTask(ctx, {
      kind: 'code',
      parameters: { language: 'bash', source: 'true', network: true },
      source: 'test',
    }),
    isCode('validation'),
  );
  await assert.rejects(
    createTask(ctx, { kind: 'data_processing', parameters: {}, source: 'test' }),
    isCode('validation'),
  );
});

test('premium users get the premium lane; queue stats count lanes', async () => {
  const { ctx } = await newActor(t, { tier: 'premium' });
  const task = await createTask(ctx, {
    kind: 'code',
    parameters: { language: 'bash', source: 'true' },
    scheduledAt: Date.now() + 60_000,
    source: 'test',
  });
  assert.equal(task.lane, 'premium');
  const stats = await taskQueueStats(ctx);
  assert.ok(stats.lanes.premium.queued >= 1);
  assert.ok(stats.activeConsumers >= 2);
});

test('without a sandbox, code tasks are refused at once with the reason', async () => {
  const bare = await startRuntime({
    sandbox: { available: false, reason: 'bwrap is not installed' },
  });
  try {
    const { ctx } = await newActor(bare);
    await assert.rejects(
      createTask(ctx, {
        kind: 'code',
        parameters: { language: 'bash', source: 'true' },
        source: 'test',
      }),
      (e: unknown) =>
        isCode('unavailable')(e) && /bwrap is not installed/.test((e as Error).message),
    );
  } finally {
    await bare.close();
  }
});
