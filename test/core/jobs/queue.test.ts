/**
 * The durable queue on a real database: lanes and priorities without starvation,
 * scheduled jobs, retries with backoff, the dead state, cancellation, recovery from a
 * dead worker's expired lease, fenced completion, and the per-tenant cap.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { withTransaction } from '../../../src/core/context.ts';
import { claimJobs } from '../../../src/core/jobs/claims.repo.ts';
import * as repo from '../../../src/core/jobs/jobs.repo.ts';
import type { JobDefinition, RunningJob } from '../../../src/core/jobs/jobs.types.ts';
import { cancelJob, enqueueJob, queueStats } from '../../../src/core/jobs/queue.ts';
import { Worker } from '../../../src/core/jobs/worker.ts';
import { uuidv7 } from '../../../src/core/shared/ids.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

let t: TestRuntime;
const workers: Worker[] = [];
before(async () => {
  t = await startRuntime({
    env: {
      TASKLANE_JOB_LEASE_MS: '1500',
      TASKLANE_JOB_HEARTBEAT_MS: '300',
      TASKLANE_JOB_POLL_MS: '100',
      TASKLANE_JOB_SWEEP_MS: '200',
      TASKLANE_TENANT_CONCURRENCY: '2',
    },
  });
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop(2000)));
  await t.runtime.database.db.deleteFrom('jobs').execute();
  await t.runtime.database.db.deleteFrom('job_tenant_slots').execute();
});
after(() => t.close());

let kindCounter = 0;
function define<P>(
  partial: Partial<JobDefinition<P>> & Pick<JobDefinition<P>, 'handler'>,
): JobDefinition<P> {
  kindCounter += 1;
  return {
    kind: `test.kind${kindCounter}`,
    maxAttempts: 3,
    backoff: { baseMs: 20, maxMs: 100 },
    timeoutMs: 10_000,
    ...partial,
  };
}

async function startWorker(
  definitions: JobDefinition<unknown>[],
  concurrency = 1,
): Promise<Worker> {
  const worker = new Worker(t.runtime, new Map(definitions.map((d) => [d.kind, d])), {
    concurrency,
  });
  workers.push(worker);
  await worker.start();
  return worker;
}

async function waitUntil(
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const job = (id: string) => repo.findJob(t.ctx(), id);

test('premium goes first, normal is never starved, and priority orders within a lane', async () => {
  const order: string[] = [];
  const def = define<{ name: string }>({
    handler: async (j) => {
      order.push(j.payload.name);
    },
  });
  const ctx = t.ctx();
  for (let i = 0; i < 8; i++) await enqueueJob(ctx, def, { name: `n${i}` }, { lane: 'normal' });
  for (let i = 0; i < 8; i++) await enqueueJob(ctx, def, { name: `p${i}` }, { lane: 'premium' });
  await enqueueJob(ctx, def, { name: 'p-urgent' }, { lane: 'premium', priority: 30 });
  await startWorker([def], 1);
  await waitUntil(() => order.length === 17);
  assert.equal(order[0], 'p-urgent', 'highest priority of the preferred lane first');
  assert.ok(
    order.slice(0, 4).some((n) => n.startsWith('n')),
    `normal served within the first 4 claims: ${order}`,
  );
  const premiumInFirst8 = order.slice(0, 8).filter((n) => n.startsWith('p')).length;
  assert.ok(premiumInFirst8 >= 6, `premium goes first: ${order}`);
  assert.deepEqual(
    order.filter((n) => n.startsWith('n')),
    ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7'],
    'FIFO within a lane and priority',
  );
});

test('a job scheduled in the future waits until it is due', async () => {
  let ranAt = 0;
  const def = define({
    handler: async () => {
      ranAt = Date.now();
    },
  });
  const runAt = Date.now() + 800;
  const { id } = (await enqueueJob(t.ctx(), def, {}, { runAt }))!;
  await startWorker([def]);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await job(id))!.status, 'queued');
  await waitUntil(async () => (await job(id))!.status === 'succeeded');
  assert.ok(ranAt >= runAt);
});

test('failures retry with backoff, then succeed', async () => {
  const tries: number[] = [];
  const def = define({
    maxAttempts: 5,
    backoff: { baseMs: 150, maxMs: 1000 },
    handler: async () => {
      tries.push(Date.now());
      if (tries.length < 3) throw new Error(`flaky ${tries.length}`);
    },
  });
  const { id } = (await enqueueJob(t.ctx(), def, {}))!;
  await startWorker([def]);
  await waitUntil(async () => (await job(id))!.status === 'succeeded');
  const record = (await job(id))!;
  assert.equal(record.attempts, 3);
  assert.equal(tries.length, 3);
  // base 150 ms ±50%: the 1st retry waits ≥75 ms, the 2nd (300 ms ±50%) ≥150 ms.
  assert.ok(tries[1]! - tries[0]! >= 70, `gap ${tries[1]! - tries[0]!}`);
  assert.ok(tries[2]! - tries[1]! >= 140, `gap ${tries[2]! - tries[1]!}`);
});

test('after max attempts the job is dead and onDead runs in the same transaction', async () => {
  const dead: string[] = [];
  const def = define({
    maxAttempts: 2,
    handler: async () => {
      throw new Error('always broken');
    },
    onDead: async (_tx, record, error) => void dead.push(`${record.id}:${error}`),
  });
  const { id } = (await enqueueJob(t.ctx(), def, {}))!;
  await startWorker([def]);
  await waitUntil(async () => (await job(id))!.status === 'dead');
  const record = (await job(id))!;
  assert.equal(record.attempts, 2);
  assert.equal(record.lastError, 'always broken');
  assert.deepEqual(dead, [`${id}:always broken`]);
});

test('cancelling a queued job stops it from ever running', async () => {
  let ran = false;
  const def = define({
    handler: async () => {
      ran = true;
    },
  });
  const { id } = (await enqueueJob(t.ctx(), def, {}, { runAt: Date.now() + 300 }))!;
  assert.equal(await cancelJob(t.ctx(), id), 'cancelled');
  await startWorker([def]);
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(ran, false);
  assert.equal((await job(id))!.status, 'cancelled');
});

test('cancelling a running job aborts its handler at once', async () => {
  const cancelled: string[] = [];
  let started = false;
  const def = define({
    handler: (j: RunningJob) =>
      new Promise<void>((_, reject) => {
        started = true;
        j.signal.addEventListener('abort', () => reject(new Error(`aborted: ${j.signal.reason}`)));
      }),
    onCancelled: async (_tx, record) => void cancelled.push(record.id),
  });
  const { id } = (await enqueueJob(t.ctx(), def, {}))!;
  await startWorker([def]);
  await waitUntil(() => started);
  const t0 = Date.now();
  assert.equal(await cancelJob(t.ctx(), id), 'cancelling');
  await waitUntil(async () => (await job(id))!.status === 'cancelled');
  assert.ok(Date.now() - t0 < 1000, 'woken by notification, not the heartbeat');
  assert.deepEqual(cancelled, [id]);
});

test("a dead worker's job is requeued when its lease expires, and its late completion is refused", async () => {
  let runs = 0;
  const def = define({ maxAttempts: 3, handler: async () => void runs++ });
  const { id } = (await enqueueJob(t.ctx(), def, {}))!;
  // A "worker" claims it and then dies: no heartbeat, no completion.
  const now = t.runtime.clock.now();
  const [claimed] = await claimJobs(t.ctx(), {
    kinds: [def.kind],
    now,
    leaseIds: [uuidv7()],
    leaseExpiresAt: now + 500,
    workerId: uuidv7(),
    preferredLane: 'normal',
    tenantCap: 10,
  });
  assert.equal(claimed?.id, id);
  await startWorker([def]);
  await waitUntil(async () => (await job(id))!.status === 'succeeded');
  assert.equal(runs, 1);
  assert.equal((await job(id))!.attempts, 2, 'the dead worker used an attempt');
  // The zombie wakes up and tries to complete with its stale lease: fenced out.
  const late = await repo.leaveRunning(t.ctx(), id, claimed!.leaseId!, { status: 'succeeded' });
  assert.equal(late, false);
  const fenced = await withTransaction(t.ctx(), (tx) => repo.fenceLease(tx, id, claimed!.leaseId!));
  assert.equal(fenced, false);
});

test('the per-tenant cap holds across worker slots, and other tenants are not blocked', async () => {
  let runningA = 0;
  let maxA = 0;
  let bDone = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const def = define<{ tenant: string }>({
    handler: async (j) => {
      if (j.payload.tenant === 'A') {
        runningA++;
        maxA = Math.max(maxA, runningA);
        await gate;
        runningA--;
      } else {
        bDone++;
      }
    },
  });
  const tenantA = uuidv7();
  const tenantB = uuidv7();
  for (let i = 0; i < 6; i++)
    await enqueueJob(t.ctx(), def, { tenant: 'A' }, { tenantId: tenantA });
  for (let i = 0; i < 2; i++)
    await enqueueJob(t.ctx(), def, { tenant: 'B' }, { tenantId: tenantB });
  await startWorker([def], 3);
  await startWorker([def], 3); // two workers racing for the same tenant's slots
  await waitUntil(() => bDone === 2);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(maxA, 2, 'tenant A never had more than 2 running');
  release();
  await waitUntil(
    async () =>
      (
        await t.runtime.database.db
          .selectFrom('jobs')
          .select('id')
          .where('status', '=', 'succeeded')
          .execute()
      ).length === 8,
  );
  assert.equal(maxA, 2);
  const slots = await t.runtime.database.db.selectFrom('job_tenant_slots').selectAll().execute();
  assert.ok(
    slots.every((s) => s.running === 0),
    'every slot was given back',
  );
});

test('stop() drains: a job that outlives the grace period is released without using an attempt', async () => {
  let started = false;
  const def = define({
    handler: (j: RunningJob) =>
      new Promise<void>((_, reject) => {
        started = true;
        j.signal.addEventListener('abort', () => reject(new Error('stopped')));
      }),
  });
  const { id } = (await enqueueJob(t.ctx(), def, {}))!;
  const worker = await startWorker([def]);
  await waitUntil(() => started);
  await worker.stop(200);
  const record = (await job(id))!;
  assert.equal(record.status, 'queued');
  assert.equal(record.attempts, 0);
});

test('queue statistics count lanes and live consumers', async () => {
  const def = define({ handler: async () => {} });
  await enqueueJob(t.ctx(), def, {}, { lane: 'premium', runAt: Date.now() + 60_000 });
  await enqueueJob(t.ctx(), def, {}, { lane: 'normal', runAt: Date.now() + 60_000 });
  await enqueueJob(t.ctx(), def, {}, { lane: 'normal', runAt: Date.now() + 60_000 });
  await startWorker([def], 4);
  const stats = await queueStats(t.ctx(), [def.kind]);
  assert.deepEqual(stats.lanes, {
    premium: { queued: 1, running: 0 },
    normal: { queued: 2, running: 0 },
  });
  assert.ok(stats.activeConsumers >= 4);
});

test('one claim takes a batch: lanes in order, the tenant cap counted within the batch, a lease each', async () => {
  const def = define({ handler: async () => {} });
  const tenantA = uuidv7();
  const tenantB = uuidv7();
  const ids: Record<string, string[]> = { A: [], B: [], none: [], premium: [] };
  for (let i = 0; i < 5; i++)
    ids.A!.push((await enqueueJob(t.ctx(), def, {}, { tenantId: tenantA, priority: 5 - i }))!.id);
  for (let i = 0; i < 3; i++)
    ids.B!.push((await enqueueJob(t.ctx(), def, {}, { tenantId: tenantB }))!.id);
  for (let i = 0; i < 2; i++) ids.none!.push((await enqueueJob(t.ctx(), def, {}))!.id);
  ids.premium!.push((await enqueueJob(t.ctx(), def, {}, { lane: 'premium' }))!.id);
  const now = t.runtime.clock.now();
  const claim = (count: number) =>
    claimJobs(t.ctx(), {
      kinds: [def.kind],
      now,
      leaseIds: Array.from({ length: count }, () => uuidv7()),
      leaseExpiresAt: now + 60_000,
      workerId: uuidv7(),
      preferredLane: 'premium',
      tenantCap: 2,
    });
  // Premium first; then normal in claim order: A's two highest priorities, B's first two,
  // both tenantless. (On PostgreSQL a batch looks at as many queued jobs as it may take,
  // so jobs past a capped tenant's may take a second claim, which the worker makes.)
  const batch = await claim(10);
  assert.ok(batch.length >= 5);
  batch.push(...(await claim(10 - batch.length)));
  assert.equal(batch[0]!.id, ids.premium![0]);
  assert.deepEqual(
    new Set(batch.slice(1).map((j) => j.id)),
    new Set([...ids.A!.slice(0, 2), ...ids.B!.slice(0, 2), ...ids.none!]),
  );
  assert.equal(new Set(batch.map((j) => j.leaseId)).size, batch.length, 'a lease id each');
  assert.ok(batch.every((j) => j.status === 'running' && j.attempts === 1));
  assert.deepEqual(await claim(10), [], 'both tenants are at their cap, the rest is taken');
  const slots = await t.runtime.database.db
    .selectFrom('job_tenant_slots')
    .selectAll()
    .where('tenant_id', 'in', [tenantA, tenantB])
    .execute();
  assert.deepEqual(
    slots.map((s) => s.running),
    [2, 2],
  );
  // Leaving 'running' gives the slot back, and only with the job's own lease.
  const first = batch.find((j) => j.id === ids.A![0])!;
  const second = batch.find((j) => j.id === ids.A![1])!;
  assert.equal(
    await repo.leaveRunning(t.ctx(), first.id, second.leaseId!, { status: 'succeeded' }),
    false,
  );
  assert.equal(
    await repo.leaveRunning(t.ctx(), first.id, first.leaseId!, { status: 'succeeded' }),
    true,
  );
  const next = await claim(10);
  assert.deepEqual(
    next.map((j) => j.id),
    [ids.A![2]],
    "A's freed slot goes to its next job",
  );
});
