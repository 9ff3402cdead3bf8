/**
 * Producing and steering jobs: enqueue (inside the caller's transaction), cancel,
 * requeue jobs whose worker died, queue statistics.
 */
import { type Ctx, withTransaction } from '../context.ts';
import { uuidv7 } from '../shared/ids.ts';
import { retryDelay } from './backoff.ts';
import * as repo from './jobs.repo.ts';
import {
  CANCEL_CHANNEL,
  type EnqueueOptions,
  JOBS_CHANNEL,
  type JobCatalog,
  type JobDefinition,
  type JobRecord,
  type Lane,
} from './jobs.types.ts';
import * as workersRepo from './workers.repo.ts';

/**
 * Adds a job. Called inside the caller's transaction, the job exists exactly when the
 * caller's change does (an acknowledged task is never lost); workers are woken after
 * commit. Returns undefined when the dedupe key was already taken.
 */
export async function enqueueJob<P>(
  ctx: Ctx,
  definition: Pick<JobDefinition<P>, 'kind' | 'maxAttempts'>,
  payload: P,
  options: EnqueueOptions = {},
): Promise<JobRecord<P> | undefined> {
  const now = ctx.clock.now();
  // On PostgreSQL with NOTIFY wake-ups the insert sends the notification itself.
  const inline = ctx.runtime.notifier.name === 'postgres';
  const job = await repo.insertJob(
    ctx,
    {
      id: uuidv7(now),
      kind: definition.kind,
      tenant_id: options.tenantId ?? null,
      lane: options.lane ?? 'normal',
      priority: options.priority ?? 0,
      payload: JSON.stringify(payload ?? null),
      status: 'queued',
      run_at: options.runAt ?? now,
      attempts: 0,
      max_attempts: options.maxAttempts ?? definition.maxAttempts,
      dedupe_key: options.dedupeKey ?? null,
      created_at: now,
      updated_at: now,
    },
    inline,
  );
  if (job && !inline) await ctx.runtime.notifier.notify(ctx, JOBS_CHANNEL, job.kind);
  return job as JobRecord<P> | undefined;
}

/**
 * Changes when (and in which order) a job that has not started runs. False when a
 * worker already claimed it (the caller then refuses the change).
 */
export function rescheduleJob(
  ctx: Ctx,
  jobId: string,
  changes: { priority?: number; runAt?: number },
): Promise<boolean> {
  return repo.rescheduleQueuedJob(ctx, jobId, changes);
}

export type CancelOutcome = 'cancelled' | 'cancelling' | 'finished';

/**
 * Cancels a job: a queued one at once; a running one is flagged and its worker told,
 * which aborts the handler (and so kills its sandbox).
 */
export async function cancelJob(ctx: Ctx, jobId: string): Promise<CancelOutcome> {
  return withTransaction(ctx, async (tx) => {
    if (await repo.cancelQueuedJob(tx, jobId)) return 'cancelled';
    if (await repo.requestJobCancel(tx, jobId)) {
      await tx.runtime.notifier.notify(tx, CANCEL_CHANNEL, jobId);
      return 'cancelling';
    }
    return 'finished';
  });
}

/**
 * Requeues (or buries) running jobs whose lease expired: their worker was killed or
 * stalled. The attempt counts; past max_attempts the job is dead. Returns how many.
 */
export async function requeueExpiredJobs(ctx: Ctx, catalog: JobCatalog): Promise<number> {
  const now = ctx.clock.now();
  const expired = await repo.findExpiredLeases(ctx, now);
  let count = 0;
  const reason = 'worker lease expired (the worker died or stalled)';
  for (const job of expired) {
    const dead = job.attempts >= job.max_attempts;
    const definition = catalog.get(job.kind);
    const backoff = definition?.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    const moved = await withTransaction(ctx, async (tx) => {
      const ok = await repo.leaveRunning(tx, job.id, job.lease_id!, {
        status: dead ? 'dead' : 'queued',
        runAt: dead ? undefined : now + retryDelay(tx.config, backoff, job.attempts),
        lastError: reason,
      });
      if (ok && dead && definition?.onDead) {
        const record = await repo.findJob(tx, job.id);
        if (record) await definition.onDead(tx, record, reason);
      }
      return ok;
    });
    if (moved) count++;
  }
  if (count > 0) ctx.log.warn({ count }, 'requeued jobs of dead workers');
  return count;
}

export interface LaneStats {
  queued: number;
  running: number;
}

/** Queued and running jobs per lane, and the live workers' job slots. */
export async function queueStats(
  ctx: Ctx,
  kinds?: string[],
): Promise<{ lanes: Record<Lane, LaneStats>; activeConsumers: number; workers: number }> {
  const counts = await repo.countJobs(ctx, kinds);
  const lanes: Record<Lane, LaneStats> = {
    premium: { queued: 0, running: 0 },
    normal: { queued: 0, running: 0 },
  };
  for (const { lane, status, count } of counts) {
    if (status === 'queued' || status === 'running') lanes[lane][status] += count;
  }
  const alive = await workersRepo.countActiveConsumers(
    ctx,
    ctx.clock.now() - ctx.config.jobs.workerTimeoutMs,
  );
  return { lanes, activeConsumers: alive.slots, workers: alive.workers };
}
