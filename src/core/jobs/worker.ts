/**
 * The worker loop: claims jobs while it has free slots, runs their handlers with a
 * renewed lease, and settles each one (succeeded, retried with backoff, dead,
 * cancelled, or released on shutdown). Woken by notifications, with a polling
 * fallback. Also keeps the worker registry fresh, requeues jobs of dead workers and
 * enqueues scheduled jobs.
 */
import os from 'node:os';
import { type Ctx, createContext, type Runtime, systemActor, withTransaction } from '../context.ts';
import { uuidv7 } from '../shared/ids.ts';
import { retryDelay } from './backoff.ts';
import { claimJobs } from './claims.repo.ts';
import * as repo from './jobs.repo.ts';
import {
  type AbortReason,
  CANCEL_CHANNEL,
  JOBS_CHANNEL,
  type JobCatalog,
  type JobDefinition,
  type JobRecord,
  type Lane,
  LeaseLostError,
  type RunningJob,
} from './jobs.types.ts';
import { enqueueJob, requeueExpiredJobs } from './queue.ts';
import * as workersRepo from './workers.repo.ts';

/** Most jobs one claim takes (a worker with more free slots claims again at once). */
const MAX_CLAIM_BATCH = 32;

export interface WorkerOptions {
  /** Jobs run at once by this process. */
  concurrency: number;
  /** Only these kinds (default: the whole catalog). */
  kinds?: string[];
}

interface ActiveJob {
  record: JobRecord;
  leaseId: string;
  controller: AbortController;
  done: Promise<void>;
}

export class Worker {
  readonly id = uuidv7();
  readonly #runtime: Runtime;
  readonly #catalog: JobCatalog;
  readonly #kinds: string[];
  #concurrency: number;
  readonly #ctx: Ctx;
  readonly #active = new Map<string, ActiveJob>();
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #unlisten: (() => void)[] = [];
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #wakePending = false;
  #claims = 0;

  constructor(runtime: Runtime, catalog: JobCatalog, options: WorkerOptions) {
    this.#runtime = runtime;
    this.#catalog = catalog;
    this.#kinds = options.kinds ?? [...catalog.keys()];
    this.#concurrency = Math.max(1, options.concurrency);
    this.#ctx = createContext(runtime, systemActor, runtime.log.child({ worker: this.id }));
  }

  get activeCount(): number {
    return this.#active.size;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /**
   * Changes how many jobs this process runs at once (the autoscaler's lever). Raising it
   * wakes the loop to claim at once; lowering it never aborts a running job: the worker
   * simply claims nothing until it is under the new limit. The worker registry is updated
   * so the pool's slot count seen by every process is the real one.
   */
  async setConcurrency(concurrency: number): Promise<void> {
    const next = Math.max(1, Math.floor(concurrency));
    if (next === this.#concurrency) return;
    this.#concurrency = next;
    this.#poke();
    await workersRepo.setWorkerConcurrency(this.#ctx, this.id, next);
  }

  async start(): Promise<void> {
    const { jobs } = this.#runtime.config;
    const now = this.#ctx.clock.now();
    await workersRepo.registerWorker(this.#ctx, {
      id: this.id,
      host: os.hostname(),
      pid: process.pid,
      concurrency: this.#concurrency,
      now,
    });
    const kinds = new Set(this.#kinds);
    this.#unlisten.push(
      await this.#runtime.notifier.listen(JOBS_CHANNEL, (kind) => {
        if (kinds.has(kind)) this.#poke();
      }),
      await this.#runtime.notifier.listen(CANCEL_CHANNEL, (jobId) => {
        this.#active.get(jobId)?.controller.abort('cancelled' satisfies AbortReason);
      }),
    );
    this.#every(jobs.heartbeatMs, () => this.#heartbeat());
    this.#every(jobs.sweepMs, () => this.#sweep());
    void this.#sweep();
    this.#loop = this.#run();
    this.#ctx.log.info({ concurrency: this.#concurrency, kinds: this.#kinds }, 'worker started');
  }

  /**
   * Drains: stops claiming, lets running jobs finish for up to `timeoutMs`, then aborts
   * the rest, which release their jobs back to the queue without using up an attempt.
   */
  async stop(timeoutMs = this.#runtime.config.http.shutdownTimeoutMs): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#poke();
    await this.#loop;
    const inFlight = [...this.#active.values()].map((a) => a.done);
    const drained = await Promise.race([
      Promise.all(inFlight).then(() => true),
      sleep(timeoutMs).then(() => false),
    ]);
    if (!drained) {
      for (const active of this.#active.values())
        active.controller.abort('shutdown' satisfies AbortReason);
      await Promise.race([Promise.all(inFlight), sleep(5000)]);
    }
    for (const timer of this.#timers) clearInterval(timer);
    for (const unlisten of this.#unlisten) unlisten();
    await workersRepo.stopWorker(this.#ctx, this.id, this.#ctx.clock.now()).catch(() => {});
    this.#ctx.log.info({ drained }, 'worker stopped');
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      while (!this.#stopping && this.#active.size < this.#concurrency) {
        // One claim for every free slot (a statement per lane that skips rows other
        // workers have locked). A short batch may have passed over a capped tenant's jobs,
        // so the loop claims again; an empty one means nothing is runnable for now.
        const free = Math.min(this.#concurrency - this.#active.size, MAX_CLAIM_BATCH);
        const jobs = await this.#claim(free);
        for (const job of jobs) this.#start(job);
        if (jobs.length === 0) break;
      }
      if (this.#stopping) break;
      await this.#idle(this.#runtime.config.jobs.pollMs);
    }
  }

  async #claim(count: number): Promise<JobRecord[]> {
    const { jobs } = this.#runtime.config;
    const now = this.#ctx.clock.now();
    // Weighted rotation: premium is tried first on `premiumWeight` claims out of
    // `premiumWeight + 1`, normal first on the rest, so normal never starves.
    const preferredLane: Lane =
      this.#claims++ % (jobs.premiumWeight + 1) === jobs.premiumWeight ? 'normal' : 'premium';
    try {
      return await claimJobs(this.#ctx, {
        kinds: this.#kinds,
        now,
        leaseIds: Array.from({ length: count }, () => uuidv7(now)),
        leaseExpiresAt: now + jobs.leaseMs,
        workerId: this.id,
        preferredLane,
        // 0 means no cap; the running count is a 32-bit integer on PostgreSQL.
        tenantCap: jobs.tenantConcurrency > 0 ? jobs.tenantConcurrency : 2_147_483_647,
      });
    } catch (error) {
      this.#ctx.log.error({ err: error }, 'claim failed');
      await sleep(500);
      return [];
    }
  }

  #start(record: JobRecord): void {
    const controller = new AbortController();
    const active = { record, leaseId: record.leaseId!, controller, done: Promise.resolve() };
    this.#active.set(record.id, active);
    active.done = this.#execute(active).finally(() => {
      this.#active.delete(record.id);
      this.#poke();
    });
  }

  async #execute(active: ActiveJob): Promise<void> {
    const { record, leaseId, controller } = active;
    const definition = this.#catalog.get(record.kind);
    const log = this.#ctx.log.child({
      job: record.id,
      kind: record.kind,
      attempt: record.attempts,
    });
    const ctx = createContext(this.#runtime, systemActor, log);
    if (!definition) {
      await this.#settleFailure(
        ctx,
        active,
        undefined,
        new Error(`no handler for job kind ${record.kind}`),
      );
      return;
    }
    const timeout = setTimeout(
      () => controller.abort('timeout' satisfies AbortReason),
      definition.timeoutMs,
    );
    let completed = false;
    const fenced = <T>(fn: (tx: Ctx) => Promise<T>) =>
      withTransaction(ctx, async (tx) => {
        if (!(await repo.fenceLease(tx, record.id, leaseId))) throw new LeaseLostError(record.id);
        return fn(tx);
      });
    const running: RunningJob = {
      record,
      payload: record.payload,
      ctx,
      signal: controller.signal,
      withLease: fenced,
      complete: async (fn) => {
        const succeed = async (tx: Ctx) => {
          if (
            !(await repo.leaveRunning(tx, record.id, leaseId, {
              status: 'succeeded',
              lastError: null,
            }))
          ) {
            throw new LeaseLostError(record.id);
          }
          await fn?.(tx);
        };
        // With nothing else to commit, leaving 'running' is atomic on its own.
        await (fn ? withTransaction(ctx, succeed) : succeed(ctx));
        completed = true;
      },
    };
    try {
      await definition.handler(running);
      if (!completed) await running.complete();
    } catch (error) {
      if (!completed) await this.#settleFailure(ctx, active, definition, error);
    } finally {
      clearTimeout(timeout);
    }
  }

  /** Decides what a failed run means: cancelled, released, retried later, or dead. */
  async #settleFailure(
    ctx: Ctx,
    active: ActiveJob,
    definition: JobDefinition | undefined,
    error: unknown,
  ): Promise<void> {
    const { record, leaseId, controller } = active;
    const reason = controller.signal.aborted
      ? (controller.signal.reason as AbortReason)
      : undefined;
    const message =
      reason === 'timeout' ? `timed out after ${definition?.timeoutMs} ms` : errorMessage(error);
    try {
      if (error instanceof LeaseLostError || reason === 'lease_lost') {
        ctx.log.warn('lease lost; another worker owns this job now');
        return;
      }
      if (reason === 'cancelled') {
        await withTransaction(ctx, async (tx) => {
          if (
            await repo.leaveRunning(tx, record.id, leaseId, {
              status: 'cancelled',
              lastError: 'cancelled',
            })
          ) {
            await definition?.onCancelled?.(tx, record);
          }
        });
        return;
      }
      if (reason === 'shutdown') {
        // Released, not failed: the attempt does not count.
        await repo.leaveRunning(ctx, record.id, leaseId, {
          status: 'queued',
          runAt: ctx.clock.now(),
          attemptsDelta: -1,
        });
        return;
      }
      const dead = record.attempts >= record.maxAttempts;
      const backoff = definition?.backoff ?? { baseMs: 1000, maxMs: 60_000 };
      await withTransaction(ctx, async (tx) => {
        const moved = await repo.leaveRunning(tx, record.id, leaseId, {
          status: dead ? 'dead' : 'queued',
          runAt: dead
            ? undefined
            : tx.clock.now() + retryDelay(tx.config, backoff, record.attempts),
          lastError: message,
        });
        if (moved && dead) await definition?.onDead?.(tx, record, message);
      });
      ctx.log.warn(
        { err: error, dead },
        dead ? 'job failed for the last time' : 'job failed; will retry',
      );
    } catch (settleError) {
      ctx.log.error({ err: settleError }, 'could not settle a failed job; its lease will expire');
    }
  }

  async #heartbeat(): Promise<void> {
    const { jobs } = this.#runtime.config;
    const now = this.#ctx.clock.now();
    await workersRepo.heartbeatWorker(this.#ctx, this.id, now);
    const actives = [...this.#active.values()];
    if (actives.length === 0) return;
    const held = await repo.extendLeases(
      this.#ctx,
      actives.map((a) => a.leaseId),
      now + jobs.leaseMs,
    );
    const byLease = new Map(held.map((h) => [h.leaseId, h]));
    for (const active of actives) {
      const state = byLease.get(active.leaseId);
      if (!state) active.controller.abort('lease_lost' satisfies AbortReason);
      else if (state.cancelRequested) active.controller.abort('cancelled' satisfies AbortReason);
    }
  }

  /** Requeues jobs of dead workers and enqueues due scheduled jobs. */
  async #sweep(): Promise<void> {
    try {
      await requeueExpiredJobs(this.#ctx, this.#catalog);
      const now = this.#ctx.clock.now();
      for (const definition of this.#catalog.values()) {
        if (!definition.schedule || !this.#kinds.includes(definition.kind)) continue;
        const slot = Math.floor(now / definition.schedule.everyMs);
        await enqueueJob(this.#ctx, definition, definition.schedule.payload, {
          dedupeKey: `${definition.kind}@${slot}`,
        });
      }
      await workersRepo.pruneWorkers(this.#ctx, now - 24 * 3600_000);
    } catch (error) {
      this.#ctx.log.warn({ err: error }, 'sweep failed');
    }
  }

  #every(ms: number, fn: () => Promise<void>): void {
    const timer = setInterval(() => {
      fn().catch((error) => this.#ctx.log.warn({ err: error }, 'worker timer failed'));
    }, ms);
    timer.unref();
    this.#timers.push(timer);
  }

  #poke(): void {
    if (this.#wake) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake();
    } else {
      this.#wakePending = true;
    }
  }

  #idle(ms: number): Promise<void> {
    if (this.#wakePending) {
      this.#wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = undefined;
        resolve();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
