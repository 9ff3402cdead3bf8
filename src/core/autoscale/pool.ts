/**
 * The worker pool as the autoscaler sees it: its limits and horizon, its live slots, a
 * measurement over an interval, and the recent recorded history.
 */
import type { Ctx } from '../context.ts';
import * as repo from './autoscale.repo.ts';
import { POOL_SERVICE, type PoolMeasurement, type PoolSample } from './autoscale.types.ts';
import type { PoolLimits } from './decision.ts';
import type { HostProbe } from './host-probe.ts';

/** Most samples a forecast refits on (older history only matters at training time). */
export const FORECAST_WINDOW = 480;
/** Longest horizon in steps (a short sampling interval with a long horizon). */
const MAX_STEPS = 120;

export function poolLimits(ctx: Ctx): PoolLimits {
  return { min: ctx.config.autoscale.minWorkers, max: ctx.config.autoscale.maxWorkers };
}

export function horizonSteps(ctx: Ctx): number {
  const { horizonMs, sampleMs } = ctx.config.autoscale;
  return Math.min(MAX_STEPS, Math.max(1, Math.ceil(horizonMs / sampleMs)));
}

/** One arrival per horizon: a rate that counts as "practically idle" when judging forecasts. */
export function idleRate(ctx: Ctx): number {
  return 1000 / ctx.config.autoscale.horizonMs;
}

/** The pool's job slots now: the sum over live worker processes. */
export async function currentSlots(ctx: Ctx): Promise<number> {
  const live = await repo.liveWorkers(ctx, ctx.clock.now() - ctx.config.jobs.workerTimeoutMs);
  return live.reduce((sum, w) => sum + w.concurrency, 0);
}

/** Measures the pool over (from, to]: queue, flow, job duration, host, slots. */
export async function measurePool(
  ctx: Ctx,
  probe: HostProbe,
  from: number,
  to: number,
): Promise<PoolMeasurement> {
  const intervalMs = Math.max(1, to - from);
  const [queue, flow, serviceTimeMs, slots] = await Promise.all([
    repo.queueNow(ctx, to),
    repo.flowBetween(ctx, from, to),
    // Job duration over a longer window than one interval, so a quiet interval still
    // knows how long jobs take.
    repo.meanServiceTime(ctx, to - Math.max(intervalMs * 20, 5 * 60_000)),
    currentSlots(ctx),
  ]);
  return {
    sampledAt: to,
    intervalMs,
    queueDepth: queue.queueDepth,
    running: queue.running,
    arrivals: flow.arrivals,
    completions: flow.completions,
    arrivalRate: (flow.arrivals * 1000) / intervalMs,
    completionRate: (flow.completions * 1000) / intervalMs,
    serviceTimeMs,
    ...probe.read(),
    currentWorkers: slots,
  };
}

export async function recentHistory(ctx: Ctx, now: number): Promise<PoolSample[]> {
  const { sampleMs } = ctx.config.autoscale;
  const samples = await repo.listSamples(ctx, POOL_SERVICE, now - FORECAST_WINDOW * sampleMs, now);
  return samples.slice(-FORECAST_WINDOW);
}

/** Live worker processes, for splitting the desired count among them. */
export async function liveWorkerIds(ctx: Ctx): Promise<string[]> {
  const live = await repo.liveWorkers(ctx, ctx.clock.now() - ctx.config.jobs.workerTimeoutMs);
  return live.map((w) => w.id);
}
