/**
 * The job queue's vocabulary. A job kind is declared once (payload type, attempts,
 * backoff, timeout, optional schedule) beside the service it calls; the queue itself
 * knows no kinds.
 */
import type { Ctx } from '../context.ts';
import type { Backoff } from './backoff.ts';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'dead' | 'cancelled';
export type Lane = 'premium' | 'normal';

export interface JobDefinition<P = unknown> {
  /** `area.verb`, e.g. `task.run`, `webhook.deliver`. */
  kind: string;
  /** Total tries before the job goes dead. */
  maxAttempts: number;
  /** Exponential backoff between tries: base × 2^(attempt−1), capped, with ±50% jitter. */
  backoff: Backoff;
  /** Wall-clock limit per attempt; the handler's signal aborts when it passes. */
  timeoutMs: number;
  /** Enqueued automatically once per period by the workers' scheduler. */
  schedule?: { everyMs: number; payload: P };
  handler(job: RunningJob<P>): Promise<void>;
  /** Called in the transaction that buries the job after its last failed try. */
  onDead?(tx: Ctx, job: JobRecord<P>, error: string): Promise<void>;
  /** Called in the transaction that cancels the job (queued or running). */
  onCancelled?(tx: Ctx, job: JobRecord<P>): Promise<void>;
}

/** Every job kind the workers know, by kind. */
export type JobCatalog = ReadonlyMap<string, JobDefinition<unknown>>;

export interface JobRecord<P = unknown> {
  id: string;
  kind: string;
  tenantId: string | null;
  lane: Lane;
  priority: number;
  payload: P;
  status: JobStatus;
  runAt: number;
  attempts: number;
  maxAttempts: number;
  leaseId: string | null;
  leaseExpiresAt: number | null;
  workerId: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** What a handler gets while it holds the job's lease. */
export interface RunningJob<P = unknown> {
  record: JobRecord<P>;
  payload: P;
  /** A context with the system actor, for core calls. */
  ctx: Ctx;
  /** Aborts on cancellation, timeout, lost lease or shutdown; `signal.reason` says which. */
  signal: AbortSignal;
  /**
   * Runs fn in a transaction that first proves this worker still holds the lease. A
   * slow worker whose lease expired (and whose job another worker took) is refused
   * here, so its late writes never land.
   */
  withLease<T>(fn: (tx: Ctx) => Promise<T>): Promise<T>;
  /** Completes the job, fenced by the lease, running fn in the same transaction. */
  complete(fn?: (tx: Ctx) => Promise<void>): Promise<void>;
}

export interface EnqueueOptions {
  tenantId?: string | null;
  lane?: Lane;
  priority?: number;
  runAt?: number;
  /** A second enqueue with the same key is ignored (idempotent producers, schedules). */
  dedupeKey?: string;
  maxAttempts?: number;
}

/** Why a running job's signal was aborted. */
export type AbortReason = 'cancelled' | 'timeout' | 'lease_lost' | 'shutdown';

export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
  constructor(jobId: string) {
    super(`lease on job ${jobId} was lost`);
  }
}

export const JOBS_CHANNEL = 'tasklane_jobs';
export const CANCEL_CHANNEL = 'tasklane_job_cancel';
