/**
 * Queue: Tasklane's durable job queue (on SQLite and on PostgreSQL) against
 * graphile-worker 0.18 on the same PostgreSQL, all in this one process, with no-op jobs.
 *
 * Per system, on a fresh database:
 *   - throughput: an idle worker (concurrency C) is running; `--producers` loops enqueue
 *     N jobs as fast as they can; wall time from the first enqueue until the database
 *     shows every job finished → jobs/s. Dispatch latency per job = handler start −
 *     the moment its enqueue call returned (the commit), p50/p99.
 *   - latency: jobs enqueued one at a time into the idle worker (each after the previous
 *     one started, plus `--gap-ms`): the wake-up path (in-process on SQLite,
 *     LISTEN/NOTIFY on PostgreSQL), p50/p99.
 *   - drain: N jobs enqueued while no worker runs, then a worker started; first handler
 *     start → all finished, jobs/s (consumer throughput without the producer).
 *
 * Flags: --jobs N (2000), --concurrency C (8), --producers P (4), --wake-jobs (200),
 * --gap-ms (5), --warmup (100), --targets sqlite,postgres,graphile (all).
 * BENCH_PG_URL: the admin connection used to create and drop the databases
 * (default postgres://postgres@127.0.0.1:5432/postgres).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Runner } from 'graphile-worker';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createContext, systemActor } from '../src/core/context.ts';
import type { JobCatalog, JobDefinition } from '../src/core/jobs/jobs.types.ts';
import { enqueueJob } from '../src/core/jobs/queue.ts';
import { Worker } from '../src/core/jobs/worker.ts';
import { type AppRuntime, createRuntime } from '../src/runtime.ts';
import { barChart, percentile, round } from './lib.ts';
import { Cleanup, createPgDatabase, progress, sleep, withTimeout } from './pg-lib.ts';

const TARGETS = ['sqlite', 'postgres', 'graphile'] as const;
type TargetName = (typeof TARGETS)[number];
const LABELS: Record<TargetName, string> = {
  sqlite: 'tasklane sqlite',
  postgres: 'tasklane postgres',
  graphile: 'graphile-worker 0.18',
};

interface Settings {
  jobs: number;
  concurrency: number;
  producers: number;
  wakeJobs: number;
  gapMs: number;
  warmup: number;
  targets: TargetName[];
}

function readSettings(): Settings {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: {
      jobs: { type: 'string' },
      concurrency: { type: 'string' },
      producers: { type: 'string' },
      'wake-jobs': { type: 'string' },
      'gap-ms': { type: 'string' },
      warmup: { type: 'string' },
      targets: { type: 'string' },
    },
  });
  const int = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`--${name} must be an integer ≥ ${min} (got "${raw}")`);
    return value;
  };
  const targets = (values.targets ?? TARGETS.join(',')).split(',').map((t) => t.trim());
  for (const target of targets) {
    if (!(TARGETS as readonly string[]).includes(target))
      throw new Error(`--targets: unknown "${target}" (use ${TARGETS.join(',')})`);
  }
  return {
    jobs: int('jobs', values.jobs, 2000, 1),
    concurrency: int('concurrency', values.concurrency, 8, 1),
    producers: int('producers', values.producers, 4, 1),
    wakeJobs: int('wake-jobs', values['wake-jobs'], 200, 1),
    gapMs: int('gap-ms', values['gap-ms'], 5, 0),
    warmup: int('warmup', values.warmup, 100, 0),
    targets: targets as TargetName[],
  };
}

// ── measurement ──────────────────────────────────────────────────────────────

interface BenchPayload {
  seq: number;
  /** performance.now() when the enqueue call was made (same process). */
  t: number;
}

/** Enqueue commits and handler starts, by sequence number (unique across phases). */
class Recorder {
  readonly #commits = new Map<number, number>();
  readonly #starts = new Map<number, number>();
  duplicates = 0;
  #next = 0;
  #range: { from: number; to: number; count: number; resolve: () => void } | undefined;
  #one: { seq: number; resolve: () => void } | undefined;

  allocate(n: number): number {
    const from = this.#next;
    this.#next += n;
    return from;
  }

  committed(seq: number): void {
    this.#commits.set(seq, performance.now());
  }

  /** Called first thing in the job handler. */
  started(seq: number): void {
    const at = performance.now();
    if (this.#starts.has(seq)) {
      this.duplicates++;
      return;
    }
    this.#starts.set(seq, at);
    const range = this.#range;
    if (range && seq >= range.from && seq < range.to && ++range.count === range.to - range.from)
      range.resolve();
    if (this.#one?.seq === seq) this.#one.resolve();
  }

  countStarted(from: number, n: number): number {
    let count = 0;
    for (let seq = from; seq < from + n; seq++) if (this.#starts.has(seq)) count++;
    return count;
  }

  /** Resolves when every job in [from, from + n) has started. */
  waitAll(from: number, n: number, timeoutMs: number, what: string): Promise<void> {
    const count = this.countStarted(from, n);
    if (count === n) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      this.#range = { from, to: from + n, count, resolve };
    });
    return withTimeout(done, timeoutMs, () => {
      return `${what}: only ${this.countStarted(from, n)} of ${n} jobs started within ${timeoutMs} ms`;
    }).finally(() => {
      this.#range = undefined;
    });
  }

  waitOne(seq: number, timeoutMs: number, what: string): Promise<void> {
    if (this.#starts.has(seq)) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      this.#one = { seq, resolve };
    });
    return withTimeout(done, timeoutMs, () => `${what}: job ${seq} did not start`).finally(() => {
      this.#one = undefined;
    });
  }

  firstStart(from: number, n: number): number {
    let first = Number.POSITIVE_INFINITY;
    for (let seq = from; seq < from + n; seq++) first = Math.min(first, this.#starts.get(seq)!);
    return first;
  }

  /** Handler start − enqueue commit, ascending. */
  latencies(from: number, n: number): number[] {
    const out: number[] = [];
    for (let seq = from; seq < from + n; seq++) {
      const start = this.#starts.get(seq);
      const commit = this.#commits.get(seq);
      if (start === undefined || commit === undefined) continue;
      // The handler can start a hair before the producer sees its commit acknowledged.
      out.push(Math.max(0, start - commit));
    }
    return out.sort((a, b) => a - b);
  }
}

/** What the harness needs from a queue system. */
interface QueueTarget {
  name: TargetName;
  /** Settings worth printing (pool sizes, poll interval). */
  describe: string;
  enqueue(payload: BenchPayload): Promise<void>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  /** Jobs not finished yet (queued or running), from the database. */
  pending(): Promise<number>;
}

interface QueueFigures {
  jobs_per_s: number;
  dispatch_p50_ms: number;
  dispatch_p99_ms: number;
  wake_p50_ms: number;
  wake_p99_ms: number;
  enqueue_per_s: number;
  drain_jobs_per_s: number;
  /** Whether the live figure is held down by the producers (enqueue) or by the worker. */
  limited_by: 'enqueue' | 'worker';
  duplicates: number;
}

const phaseTimeout = (n: number) => Math.max(60_000, n * 50);

async function waitDrained(target: QueueTarget, timeoutMs: number, what: string): Promise<void> {
  const start = performance.now();
  for (;;) {
    const pending = await target.pending();
    if (pending === 0) return;
    if (performance.now() - start > timeoutMs)
      throw new Error(`${what}: ${pending} jobs still unfinished after ${timeoutMs} ms`);
    await sleep(2);
  }
}

/** Live load: the worker is running while producers enqueue as fast as they can. */
async function throughput(
  target: QueueTarget,
  rec: Recorder,
  settings: Settings,
  n: number,
  what: string,
): Promise<{ jobsPerS: number; enqueuePerS: number; latencies: number[] }> {
  const from = rec.allocate(n);
  const stopProgress = progress(what, n, () => rec.countStarted(from, n));
  try {
    let next = 0;
    const t0 = performance.now();
    const producer = async () => {
      while (next < n) {
        const seq = from + next++;
        await target.enqueue({ seq, t: performance.now() });
        rec.committed(seq);
      }
    };
    await Promise.all(Array.from({ length: Math.min(settings.producers, n) }, producer));
    const enqueued = performance.now();
    await rec.waitAll(from, n, phaseTimeout(n), what);
    await waitDrained(target, phaseTimeout(n), what);
    const done = performance.now();
    return {
      jobsPerS: n / ((done - t0) / 1000),
      enqueuePerS: n / ((enqueued - t0) / 1000),
      latencies: rec.latencies(from, n),
    };
  } finally {
    stopProgress();
  }
}

/** One job at a time into an idle worker: the wake-up path. */
async function wake(
  target: QueueTarget,
  rec: Recorder,
  settings: Settings,
  what: string,
): Promise<number[]> {
  const n = settings.wakeJobs;
  const from = rec.allocate(n);
  const stopProgress = progress(what, n, () => rec.countStarted(from, n));
  try {
    for (let i = 0; i < n; i++) {
      const seq = from + i;
      await target.enqueue({ seq, t: performance.now() });
      rec.committed(seq);
      await rec.waitOne(seq, 30_000, what);
      await sleep(settings.gapMs);
    }
    await waitDrained(target, 30_000, what);
    return rec.latencies(from, n);
  } finally {
    stopProgress();
  }
}

/** A backlog of N jobs, then a worker: consumer throughput alone. */
async function drain(
  target: QueueTarget,
  rec: Recorder,
  settings: Settings,
  what: string,
): Promise<number> {
  const n = settings.jobs;
  const from = rec.allocate(n);
  await target.stopWorker();
  let next = 0;
  const producer = async () => {
    while (next < n) {
      const seq = from + next++;
      await target.enqueue({ seq, t: performance.now() });
      rec.committed(seq);
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.producers, n) }, producer));
  const stopProgress = progress(what, n, () => rec.countStarted(from, n));
  try {
    await target.startWorker();
    await rec.waitAll(from, n, phaseTimeout(n), what);
    await waitDrained(target, phaseTimeout(n), what);
    const done = performance.now();
    return n / ((done - rec.firstStart(from, n)) / 1000);
  } finally {
    stopProgress();
  }
}

async function measure(target: QueueTarget, rec: Recorder, settings: Settings) {
  const label = LABELS[target.name];
  console.log(`\n${label} (${target.describe})`);
  await target.startWorker();
  if (settings.warmup > 0)
    await throughput(target, rec, settings, settings.warmup, `${label} warm-up`);
  const duplicatesBefore = rec.duplicates;
  const load = await throughput(target, rec, settings, settings.jobs, `${label} throughput`);
  console.log(
    `  throughput: ${round(load.jobsPerS, 1)} jobs/s (enqueue ${round(load.enqueuePerS, 1)}/s), dispatch p50 ${round(percentile(load.latencies, 50))} ms p99 ${round(percentile(load.latencies, 99))} ms`,
  );
  const wakes = await wake(target, rec, settings, `${label} latency`);
  console.log(
    `  latency: wake p50 ${round(percentile(wakes, 50))} ms p99 ${round(percentile(wakes, 99))} ms`,
  );
  const drainRate = await drain(target, rec, settings, `${label} drain`);
  console.log(`  drain: ${round(drainRate, 1)} jobs/s`);
  await target.stopWorker();
  const figures: QueueFigures = {
    jobs_per_s: round(load.jobsPerS, 1),
    dispatch_p50_ms: round(percentile(load.latencies, 50)),
    dispatch_p99_ms: round(percentile(load.latencies, 99)),
    wake_p50_ms: round(percentile(wakes, 50)),
    wake_p99_ms: round(percentile(wakes, 99)),
    enqueue_per_s: round(load.enqueuePerS, 1),
    drain_jobs_per_s: round(drainRate, 1),
    // Jobs finished about as fast as they were enqueued: the producers set the pace.
    limited_by: load.jobsPerS * 1.15 >= load.enqueuePerS ? 'enqueue' : 'worker',
    duplicates: rec.duplicates - duplicatesBefore,
  };
  if (figures.limited_by === 'enqueue')
    console.log(
      '  note: the live figure is enqueue-bound here; the drain figure is the worker alone',
    );
  if (figures.duplicates > 0) console.log(`  WARNING: ${figures.duplicates} jobs ran twice`);
  return figures;
}

// ── the systems ──────────────────────────────────────────────────────────────

async function tasklaneTarget(
  engine: 'sqlite' | 'postgres',
  rec: Recorder,
  settings: Settings,
  cleanup: Cleanup,
): Promise<QueueTarget> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-bench-queue-'));
  cleanup.add(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  const url = engine === 'postgres' ? (await createPgDatabase('tl_bench_q', cleanup)).url : '';
  const config = loadConfig({
    ...process.env,
    TASKLANE_DATA_DIR: dataDir,
    TASKLANE_DATABASE_URL: url,
    TASKLANE_LOG_LEVEL: 'silent',
    TASKLANE_REDIS_URL: '',
    TASKLANE_JWT_SECRET: 'bench-jwt-secret-bench-jwt-secret-0123',
    TASKLANE_SECRET_KEY: 'b'.repeat(64),
  });
  const runtime: AppRuntime = await createRuntime(config, {
    sandbox: { available: false, reason: 'not needed by the queue benchmark' },
  });
  cleanup.add(() => runtime.close());
  const definition: JobDefinition<BenchPayload> = {
    kind: 'bench.noop',
    maxAttempts: 1,
    backoff: { baseMs: 1000, maxMs: 1000 },
    timeoutMs: 60_000,
    async handler(job) {
      rec.started(job.payload.seq);
    },
  };
  const catalog: JobCatalog = new Map([[definition.kind, definition as JobDefinition<unknown>]]);
  const ctx = createContext(runtime, systemActor);
  let worker: Worker | undefined;
  const stopWorker = async () => {
    const running = worker;
    worker = undefined;
    await running?.stop(5000);
  };
  cleanup.add(stopWorker);
  const { database, jobs } = config;
  return {
    name: engine,
    describe:
      database.kind === 'postgres'
        ? `pool ${database.poolSize}, poll ${jobs.pollMs} ms, LISTEN/NOTIFY`
        : `node:sqlite, poll ${jobs.pollMs} ms, in-process wake-ups`,
    async enqueue(payload) {
      await enqueueJob(ctx, definition, payload);
    },
    async startWorker() {
      if (worker) return;
      worker = new Worker(runtime, catalog, { concurrency: settings.concurrency });
      await worker.start();
    },
    stopWorker,
    async pending() {
      const row = await runtime.database.db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

async function graphileTarget(
  rec: Recorder,
  settings: Settings,
  pollMs: number,
  cleanup: Cleanup,
): Promise<QueueTarget> {
  // Its per-job "Completed task" info line is skipped, as Tasklane logs nothing per job here.
  process.env.NO_LOG_SUCCESS ??= '1';
  const gw = await import('graphile-worker');
  const { url } = await createPgDatabase('tl_bench_gw', cleanup);
  const logger = new gw.Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') console.error(`  [graphile-worker] ${message}`);
  });
  // Pools we own: graphile-worker ends the pools it makes without waiting and without an
  // error handler, so dropping the database right after would crash this process.
  const maxPoolSize = Math.max(10, settings.concurrency + 2);
  const ownPool = (max: number) => {
    const pool = new pg.Pool({ connectionString: url, max });
    pool.on('error', () => {});
    pool.on('connect', (client) => client.on('error', () => {}));
    cleanup.add(() => pool.end());
    return pool;
  };
  const utilsPool = ownPool(10);
  const workerPool = ownPool(maxPoolSize);
  const utils = await gw.makeWorkerUtils({ pgPool: utilsPool, logger });
  cleanup.add(async () => {
    await utils.release();
  });
  await utils.migrate();
  const poller = new pg.Client({ connectionString: url });
  await poller.connect();
  cleanup.add(() => poller.end());
  let runner: Runner | undefined;
  const stopWorker = async () => {
    const running = runner;
    runner = undefined;
    await running?.stop();
  };
  cleanup.add(stopWorker);
  return {
    name: 'graphile',
    describe: `pool ${maxPoolSize} + utils pool 10, pollInterval ${pollMs} ms, no local queue/batching`,
    async enqueue(payload) {
      await utils.addJob('bench_noop', payload, { maxAttempts: 1 });
    },
    async startWorker() {
      if (runner) return;
      runner = await gw.run({
        pgPool: workerPool,
        concurrency: settings.concurrency,
        noHandleSignals: true,
        pollInterval: pollMs,
        logger,
        taskList: {
          bench_noop: async (payload) => {
            rec.started((payload as BenchPayload).seq);
          },
        },
      });
    },
    stopWorker,
    async pending() {
      const { rows } = await poller.query<{ n: number }>(
        'select count(*)::int as n from graphile_worker.jobs',
      );
      return rows[0]!.n;
    },
  };
}

export async function main(): Promise<void> {
  const settings = readSettings();
  const rec = new Recorder();
  const cleanups: Cleanup[] = [];
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
    console.error(`\n${signal}: cleaning up`);
    void Promise.all(cleanups.map((c) => c.run())).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const results: Partial<Record<TargetName, QueueFigures>> = {};
  try {
    console.log(
      `queue: ${settings.jobs} no-op jobs, concurrency ${settings.concurrency}, ${settings.producers} producers; latency mode ${settings.wakeJobs} jobs, ${settings.gapMs} ms apart; ${os.availableParallelism()} CPUs, same process, same run`,
    );
    // Tasklane's poll interval (default 1 s, TASKLANE_JOB_POLL_MS) is graphile-worker's too.
    const pollMs = loadConfig({ ...process.env, TASKLANE_DATA_DIR: os.tmpdir() }).jobs.pollMs;
    for (const name of settings.targets) {
      const cleanup = new Cleanup();
      cleanups.push(cleanup);
      try {
        const target =
          name === 'graphile'
            ? await graphileTarget(rec, settings, pollMs, cleanup)
            : await tasklaneTarget(name, rec, settings, cleanup);
        results[name] = await measure(target, rec, settings);
      } finally {
        await cleanup.run();
        // A phase fails when Ctrl-C tears its runtime down: that is no error to report.
        if (interrupted) process.exit(130);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const measured = settings.targets.map((name) => [LABELS[name], results[name]!] as const);
  type Numeric = {
    [K in keyof QueueFigures]: QueueFigures[K] extends number ? K : never;
  }[keyof QueueFigures];
  const chart = (title: string, key: Numeric, unit: string) =>
    console.log(
      barChart(
        title,
        measured.map(([label, f]) => [label, f[key]]),
        unit,
      ),
    );
  chart('\njobs/s, live enqueue + work (higher is better)', 'jobs_per_s', 'jobs/s');
  chart('\njobs/s, draining a backlog (higher is better)', 'drain_jobs_per_s', 'jobs/s');
  chart('\ndispatch latency p50 under load (lower is better)', 'dispatch_p50_ms', 'ms');
  chart('\ndispatch latency p99 under load (lower is better)', 'dispatch_p99_ms', 'ms');
  chart('\nwake-up latency p50, idle worker (lower is better)', 'wake_p50_ms', 'ms');
  chart('\nwake-up latency p99, idle worker (lower is better)', 'wake_p99_ms', 'ms');

  const figures = {
    bench: 'queue',
    jobs: settings.jobs,
    concurrency: settings.concurrency,
    producers: settings.producers,
    wake_jobs: settings.wakeJobs,
    gap_ms: settings.gapMs,
    ...(results.sqlite ? { tasklane_sqlite: results.sqlite } : {}),
    ...(results.postgres ? { tasklane_postgres: results.postgres } : {}),
    ...(results.graphile ? { graphile_worker: results.graphile } : {}),
    ...(results.postgres && results.graphile
      ? {
          throughput_ratio_pg_vs_graphile: round(
            results.postgres.jobs_per_s / results.graphile.jobs_per_s,
            3,
          ),
          drain_ratio_pg_vs_graphile: round(
            results.postgres.drain_jobs_per_s / results.graphile.drain_jobs_per_s,
            3,
          ),
        }
      : {}),
  };
  console.log(JSON.stringify(figures));
}
