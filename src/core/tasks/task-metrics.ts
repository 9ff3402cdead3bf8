/**
 * Task processing figures (AutoServe's /metrics/tasks): totals by status, mean
 * processing time, queue depth, workers and throughput. A user sees their own tasks;
 * an admin sees every task. Workers are shared by everyone, so their count is global.
 */
import type { Ctx } from '../context.ts';
import { requireUser } from '../identity/users.service.ts';
import { queueStats } from '../jobs/queue.ts';
import { runTaskJob } from './run-task.job.ts';
import { countTasksByStatus, finishedSince } from './task-metrics.repo.ts';

/** Throughput is measured over this window (tasks per minute). */
const THROUGHPUT_WINDOW_MS = 5 * 60_000;
/** The mean processing time covers tasks finished within this window. */
const PROCESSING_WINDOW_MS = 24 * 60 * 60_000;

export interface TaskMetrics {
  scope: 'user' | 'global';
  at: number;
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  /** Seconds from start to finish, mean over the last 24 hours; 0 when none finished. */
  averageProcessingSeconds: number;
  /** Tasks waiting or running (work the queue still holds). */
  queueDepth: number;
  /** Job slots of live workers (all processes). */
  workerSlots: number;
  /** Tasks finished per minute over the last five minutes. */
  throughputPerMinute: number;
}

export async function taskMetrics(ctx: Ctx): Promise<TaskMetrics> {
  const actor = requireUser(ctx);
  const owner = actor.role === 'admin' ? undefined : actor.userId;
  const now = ctx.clock.now();
  const [counts, recent, day, queue] = await Promise.all([
    countTasksByStatus(ctx, owner),
    finishedSince(ctx, owner, now - THROUGHPUT_WINDOW_MS),
    finishedSince(ctx, owner, now - PROCESSING_WINDOW_MS),
    queueStats(ctx, [runTaskJob.kind]),
  ]);
  const n = (status: keyof typeof counts) => counts[status] ?? 0;
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  return {
    scope: owner === undefined ? 'global' : 'user',
    at: now,
    total,
    queued: n('queued'),
    running: n('running'),
    succeeded: n('succeeded'),
    failed: n('failed'),
    cancelled: n('cancelled'),
    averageProcessingSeconds: round2((day.averageMs ?? 0) / 1000),
    queueDepth: n('queued') + n('running'),
    workerSlots: queue.activeConsumers,
    throughputPerMinute: round2(recent.count / (THROUGHPUT_WINDOW_MS / 60_000)),
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;
