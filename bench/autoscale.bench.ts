/**
 * Autoscale: the same synthetic arrival pattern (a quiet start, a ramp, a spike, a calm
 * end) pushed through the real durable queue (SQLite) into a real worker whose jobs take
 * a fixed time, under four pool policies:
 *   (a) fixed minimum slots, (b) fixed maximum slots,
 *   (c) the threshold rule (the controller before any model exists),
 *   (d) the predictor (the controller with an ARIMA model trained on one earlier run of
 *       the same pattern, as yesterday's traffic would train it).
 * Reported per policy: p95 and p50 queue wait (enqueue → handler start) and
 * worker-seconds (∫ job slots dt, what the pool costs). Time is scaled down: a sampling
 * interval of one second stands for the production 15 s.
 *
 * Flags: --seconds S (40: length of the pattern), --service-ms (200: job duration),
 * --peak R (25: spike arrivals/s), --min (1), --max (8).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { MODEL_TYPE } from '../src/core/autoscale/autoscale.types.ts';
import { Autoscaler } from '../src/core/autoscale/controller.ts';
import { retrainModel } from '../src/core/autoscale/retrain.service.ts';
import { createContext, systemActor } from '../src/core/context.ts';
import type { JobDefinition } from '../src/core/jobs/jobs.types.ts';
import { enqueueJob } from '../src/core/jobs/queue.ts';
import { Worker } from '../src/core/jobs/worker.ts';
import { buildJobCatalog } from '../src/jobs.ts';
import { type AppRuntime, createRuntime } from '../src/runtime.ts';
import { barChart, percentile, round } from './lib.ts';

type Policy = 'fixed_min' | 'fixed_max' | 'threshold' | 'predictor';
const LABELS: Record<Policy, string> = {
  fixed_min: '(a) fixed min',
  fixed_max: '(b) fixed max',
  threshold: '(c) threshold rule',
  predictor: '(d) predictor',
};

interface Settings {
  seconds: number;
  serviceMs: number;
  peak: number;
  min: number;
  max: number;
}

function readSettings(): Settings {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: {
      seconds: { type: 'string', default: '40' },
      'service-ms': { type: 'string', default: '200' },
      peak: { type: 'string', default: '25' },
      min: { type: 'string', default: '1' },
      max: { type: 'string', default: '8' },
    },
  });
  return {
    seconds: Number(values.seconds),
    serviceMs: Number(values['service-ms']),
    peak: Number(values.peak),
    min: Number(values.min),
    max: Number(values.max),
  };
}

/**
 * Arrivals per second at time t (fraction of the run): 15% quiet at 10% of the peak,
 * a ramp to 50% over the next 40%, a spike at the peak for 10%, then calm at 15%.
 */
function rateAt(fraction: number, peak: number): number {
  if (fraction < 0.15) return 0.1 * peak;
  if (fraction < 0.55) return peak * (0.1 + (0.4 * (fraction - 0.15)) / 0.4);
  if (fraction < 0.65) return peak;
  return 0.15 * peak;
}

/** Arrival times (ms from the start), the same for every policy: a seeded Poisson process. */
function arrivalSchedule(s: Settings): number[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const times: number[] = [];
  const total = s.seconds * 1000;
  let t = 0;
  // Thinning (Lewis–Shedler) of a Poisson process at the peak rate.
  while (t < total) {
    t += (-Math.log(1 - random()) / s.peak) * 1000;
    if (t < total && random() < rateAt(t / total, s.peak) / s.peak) times.push(t);
  }
  return times;
}

interface RunResult {
  jobs: number;
  p50WaitMs: number;
  p95WaitMs: number;
  workerSeconds: number;
  maxSlots: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function openRuntime(s: Settings): Promise<{ runtime: AppRuntime; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-autoscale-'));
  const config = loadConfig({
    ...process.env,
    TASKLANE_DATA_DIR: dataDir,
    TASKLANE_DATABASE_URL: '',
    TASKLANE_REDIS_URL: '',
    TASKLANE_LOG_LEVEL: 'silent',
    TASKLANE_JOB_POLL_MS: '50',
    TASKLANE_TENANT_CONCURRENCY: '0',
    TASKLANE_AUTOSCALE_SAMPLE_MS: '1000',
    TASKLANE_AUTOSCALE_HORIZON_MS: '10000',
    TASKLANE_AUTOSCALE_TARGET_WAIT_MS: '1000',
    TASKLANE_AUTOSCALE_MIN_HISTORY: '20',
    TASKLANE_AUTOSCALE_MIN_WORKERS: String(s.min),
    TASKLANE_AUTOSCALE_MAX_WORKERS: String(s.max),
  });
  const runtime = await createRuntime(config, {
    sandbox: { available: false, reason: 'not needed by the autoscale benchmark' },
  });
  return { runtime, dataDir };
}

/** Pushes the pattern through the queue into `worker`, resized by `autoscaler` if given. */
async function runPattern(
  runtime: AppRuntime,
  worker: Worker,
  autoscaler: Autoscaler | undefined,
  schedule: number[],
  waits: number[],
  s: Settings,
): Promise<RunResult> {
  const ctx = createContext(runtime, systemActor);
  const start = Date.now();
  let slotMs = 0;
  let maxSlots = worker.concurrency;
  let last = start;
  const meter = setInterval(() => {
    const now = Date.now();
    slotMs += worker.concurrency * (now - last);
    maxSlots = Math.max(maxSlots, worker.concurrency);
    last = now;
  }, 50);
  let ticking = false;
  const ticker =
    autoscaler &&
    setInterval(() => {
      if (ticking) return;
      ticking = true;
      autoscaler
        .tick()
        .catch((error) => console.error('  tick failed:', error))
        .finally(() => {
          ticking = false;
        });
    }, 1000);
  waits.length = 0;
  for (const at of schedule) {
    const delay = start + at - Date.now();
    if (delay > 0) await sleep(delay);
    await enqueueJob(ctx, benchJob(s), { enqueuedAt: Date.now() });
  }
  while (waits.length < schedule.length) await sleep(50);
  clearInterval(ticker);
  clearInterval(meter);
  slotMs += worker.concurrency * (Date.now() - last);
  const sorted = [...waits].sort((a, b) => a - b);
  return {
    jobs: schedule.length,
    p50WaitMs: round(percentile(sorted, 50)),
    p95WaitMs: round(percentile(sorted, 95)),
    workerSeconds: round(slotMs / 1000),
    maxSlots,
  };
}

let onStart: (waitMs: number) => void = () => {};
let definition: JobDefinition<{ enqueuedAt: number }> | undefined;
function benchJob(s: Settings): JobDefinition<{ enqueuedAt: number }> {
  definition ??= {
    kind: 'bench.work',
    maxAttempts: 1,
    backoff: { baseMs: 1000, maxMs: 1000 },
    timeoutMs: 60_000,
    async handler(job) {
      onStart(Date.now() - job.payload.enqueuedAt);
      await sleep(s.serviceMs);
    },
  };
  return definition;
}

async function runPolicy(policy: Policy, s: Settings, schedule: number[]): Promise<RunResult> {
  const { runtime, dataDir } = await openRuntime(s);
  const waits: number[] = [];
  onStart = (ms) => waits.push(ms);
  const fixed = policy === 'fixed_max' ? s.max : s.min;
  const worker = new Worker(runtime, buildJobCatalog([benchJob(s) as JobDefinition<unknown>]), {
    concurrency: fixed,
  });
  await worker.start();
  try {
    let autoscaler: Autoscaler | undefined;
    if (policy === 'threshold' || policy === 'predictor')
      autoscaler = new Autoscaler(runtime, worker);
    if (policy === 'predictor') {
      // Yesterday: the same pattern under the controller, recorded; then a retrain.
      process.stdout.write('  training run for the predictor… ');
      await runPattern(runtime, worker, autoscaler, schedule, waits, s);
      const model = await retrainModel(
        createContext(runtime, systemActor),
        { modelType: MODEL_TYPE, trainingHours: 1, force: true, requestedBy: null },
        'bench-training',
      );
      if (!model) throw new Error('the predictor could not be trained on the training run');
      console.log(
        `ARIMA(${model.params.p},${model.params.d},${model.params.q}), holdout accuracy ${model.accuracy}`,
      );
      await worker.setConcurrency(s.min);
    }
    return await runPattern(runtime, worker, autoscaler, schedule, waits, s);
  } finally {
    await worker.stop(5000);
    await runtime.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const s = readSettings();
  const schedule = arrivalSchedule(s);
  console.log(
    `autoscale: ${schedule.length} jobs of ${s.serviceMs} ms over ${s.seconds} s (spike ${s.peak}/s), pool ${s.min}–${s.max} slots, SQLite, ${os.availableParallelism()} cores`,
  );
  const results = {} as Record<Policy, RunResult>;
  for (const policy of Object.keys(LABELS) as Policy[]) {
    console.log(`${LABELS[policy]}…`);
    results[policy] = await runPolicy(policy, s, schedule);
    console.log(`  ${JSON.stringify(results[policy])}`);
  }
  const rows = (key: keyof RunResult) =>
    (Object.keys(LABELS) as Policy[]).map((p) => [LABELS[p], results[p][key]] as [string, number]);
  console.log(barChart('p95 queue wait (lower is better)', rows('p95WaitMs'), 'ms'));
  console.log(barChart('worker-seconds (lower is cheaper)', rows('workerSeconds'), 'slot·s'));
  console.log(
    JSON.stringify({
      bench: 'autoscale',
      seconds: s.seconds,
      jobs: schedule.length,
      service_ms: s.serviceMs,
      min: s.min,
      max: s.max,
      ...Object.fromEntries(
        (Object.keys(LABELS) as Policy[]).map((p) => [
          p,
          {
            p95_wait_ms: results[p].p95WaitMs,
            p50_wait_ms: results[p].p50WaitMs,
            worker_seconds: results[p].workerSeconds,
            max_slots: results[p].maxSlots,
          },
        ]),
      ),
    }),
  );
}
