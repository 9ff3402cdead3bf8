/**
 * The controller on a real database and a real worker: a backlog makes it add slots to
 * the worker (the threshold rule, before any model exists), an idle pool gives them
 * back, each change is recorded, published and announced; a manual decision is split
 * over several worker processes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { listSamples } from '../../../src/core/autoscale/autoscale.repo.ts';
import { SCALING_EVENT_TYPE } from '../../../src/core/autoscale/autoscale.types.ts';
import { Autoscaler } from '../../../src/core/autoscale/controller.ts';
import { HostProbe } from '../../../src/core/autoscale/host-probe.ts';
import { measurePool } from '../../../src/core/autoscale/pool.ts';
import { scalingHistory } from '../../../src/core/autoscale/reports.service.ts';
import { recordTick, setDesiredWorkers } from '../../../src/core/autoscale/scaling.service.ts';
import type { JobDefinition } from '../../../src/core/jobs/jobs.types.ts';
import { enqueueJob } from '../../../src/core/jobs/queue.ts';
import { Worker } from '../../../src/core/jobs/worker.ts';
import { buildJobCatalog } from '../../../src/jobs.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

const SAMPLE_MS = 200;
let t: TestRuntime;
before(async () => {
  t = await startRuntime({
    env: {
      TASKLANE_AUTOSCALE_SAMPLE_MS: String(SAMPLE_MS),
      TASKLANE_AUTOSCALE_MIN_WORKERS: '1',
      TASKLANE_AUTOSCALE_MAX_WORKERS: '4',
      TASKLANE_TENANT_CONCURRENCY: '0',
    },
  });
});
after(() => t.close());

let release: () => void = () => {};
let gate = new Promise<void>((resolve) => {
  release = resolve;
});
const gatedJob: JobDefinition<Record<string, never>> = {
  kind: 'test.gated',
  maxAttempts: 1,
  backoff: { baseMs: 10, maxMs: 10 },
  timeoutMs: 60_000,
  async handler() {
    await gate;
  },
};

const nextSlot = () => new Promise((r) => setTimeout(r, SAMPLE_MS + 20));

test('a backlog scales the worker up one slot per interval (threshold rule), idle scales it down', async () => {
  const worker = new Worker(t.runtime, buildJobCatalog([gatedJob as JobDefinition<unknown>]), {
    concurrency: 1,
  });
  await worker.start();
  const autoscaler = new Autoscaler(t.runtime, worker);
  try {
    const ctx = t.ctx();
    for (let i = 0; i < 12; i++) await enqueueJob(ctx, gatedJob, {});
    const announced = t.runtime.events.waitFor({ types: [SCALING_EVENT_TYPE] });
    await nextSlot();
    assert.equal(await autoscaler.tick(), 2);
    assert.equal(worker.concurrency, 2);
    const event = await announced;
    assert.deepEqual(Object.keys(event.payload).sort(), [
      'action',
      'from_replicas',
      'reason',
      'service',
      'timestamp',
      'to_replicas',
    ]);
    assert.equal(event.payload.service, 'worker');
    assert.equal(event.payload.action, 'scale_up');
    assert.equal(event.payload.from_replicas, 1);
    assert.equal(event.payload.to_replicas, 2);
    assert.match(String(event.payload.reason), /Only \d+ of the 30 samples.*threshold rule/);
    assert.equal(event.tenantId, null);

    await nextSlot();
    await autoscaler.tick();
    await nextSlot();
    await autoscaler.tick();
    await nextSlot();
    assert.equal(await autoscaler.tick(), 4, 'capped at TASKLANE_AUTOSCALE_MAX_WORKERS');
    await nextSlot();
    assert.equal(await autoscaler.tick(), 4);
    assert.equal(worker.concurrency, 4);
    // The slots are really used: four gated jobs run at once.
    for (let i = 0; i < 50 && worker.activeCount < 4; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(worker.activeCount, 4);

    release();
    for (let i = 0; i < 100 && worker.activeCount > 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    let size = 4;
    for (let i = 0; i < 10 && size > 1; i++) {
      await nextSlot();
      size = (await autoscaler.tick()) ?? size;
    }
    assert.equal(size, 1);
    assert.equal(worker.concurrency, 1);

    const history = await scalingHistory(t.ctx({ kind: 'system' }) as never, {
      hours: 1,
      limit: 100,
    }).catch(() => undefined);
    // History needs a signed-in user; the system actor is refused (401 on the wire).
    assert.equal(history, undefined);
  } finally {
    await autoscaler.stop();
    await worker.stop(2000);
    gate = new Promise<void>((resolve) => {
      release = resolve;
    });
  }
});

test('a manual decision is split over every live worker process and recorded as manual', async () => {
  const catalog = buildJobCatalog([gatedJob as JobDefinition<unknown>]);
  const a = new Worker(t.runtime, catalog, { concurrency: 1 });
  const b = new Worker(t.runtime, catalog, { concurrency: 1 });
  await a.start();
  await b.start();
  const scalers = [new Autoscaler(t.runtime, a), new Autoscaler(t.runtime, b)];
  try {
    const state = await setDesiredWorkers(t.ctx(), { workers: 3, reason: 'Load test at noon' });
    assert.equal(state.trigger, 'manual');
    await nextSlot();
    for (const scaler of scalers) assert.equal(await scaler.tick(), 3);
    assert.equal(a.concurrency + b.concurrency, 3);
    assert.deepEqual([a.concurrency, b.concurrency].sort(), [1, 2]);
    await assert.rejects(
      setDesiredWorkers(t.ctx(), { workers: 9 }),
      /between 1 and 4/,
      'outside [min, max] is refused',
    );
  } finally {
    release();
    await Promise.all(scalers.map((s) => s.stop()));
    await Promise.all([a.stop(2000), b.stop(2000)]);
  }
});

test('one sample and one decision per interval, whichever process reaches it first', async () => {
  const ctx = t.ctx();
  await nextSlot(); // the previous test's last tick may own the current interval
  const now = Date.now();
  const measured = await measurePool(ctx, new HostProbe(), now - SAMPLE_MS, now);
  const first = await recordTick(ctx, measured);
  const second = await recordTick(ctx, { ...measured, queueDepth: 99 });
  assert.equal(first.won, true);
  assert.equal(second.won, false, 'the slot was taken: the second process only follows');
  const samples = await listSamples(ctx, 'worker', now, now);
  assert.equal(samples.length, 1);
  assert.equal(samples[0]!.queueDepth, measured.queueDepth);
});
