/**
 * What the ML controller reports: the prediction now (nothing applied or recorded) and
 * the decisions of a window with the share of past forecasts that came true.
 */
import type { Ctx } from '../context.ts';
import { requireUser } from '../identity/users.service.ts';
import * as repo from './autoscale.repo.ts';
import {
  POOL_SERVICE,
  type PoolSample,
  type PredictionReport,
  type ScalingHistory,
  type ScalingPrediction,
} from './autoscale.types.ts';
import { decide, round3 } from './decide.ts';
import type { HostProbe } from './host-probe.ts';
import { idleRate, measurePool, recentHistory } from './pool.ts';

/**
 * What the predictor says now, from the recorded history and a fresh look at the queue
 * (nothing is applied or recorded). Any signed-in user: the pool is shared.
 */
export async function predictScaling(ctx: Ctx, probe: HostProbe): Promise<PredictionReport> {
  requireUser(ctx);
  const now = ctx.clock.now();
  const [history, model, state] = await Promise.all([
    recentHistory(ctx, now),
    repo.latestModel(ctx, POOL_SERVICE),
    repo.getState(ctx, POOL_SERVICE),
  ]);
  const last = history.at(-1);
  const { sampleMs } = ctx.config.autoscale;
  // At most one interval back: the jobs table is not scanned further than the sampler does.
  const latest = await measurePool(ctx, probe, Math.max(last?.sampledAt ?? 0, now - sampleMs), now);
  // Right after a sample the interval is partial: use that sample's rates, so a GET
  // just after a sample does not read as a lull.
  if (last && now - last.sampledAt < sampleMs) {
    latest.arrivalRate = last.arrivalRate;
    latest.completionRate = last.completionRate;
  }
  const decision = await decide(ctx, latest, last ? history : [], model, state);
  const prediction: ScalingPrediction = {
    service: POOL_SERVICE,
    currentReplicas: latest.currentWorkers,
    predictedReplicas: decision.desired,
    confidence: decision.confidence,
    reason: decision.reason,
    trigger: decision.trigger,
    horizonMs: ctx.config.autoscale.horizonMs,
    predictedArrivalRate: decision.predictedArrivalRate,
  };
  return { at: now, predictions: [prediction], model };
}

/**
 * Decisions of the last `hours`, newest first (at most `limit`), their total, and the
 * share of past forecasts (over the same window) that came within tolerance.
 */
export async function scalingHistory(
  ctx: Ctx,
  input: { hours: number; limit: number },
): Promise<ScalingHistory> {
  requireUser(ctx);
  const now = ctx.clock.now();
  const since = now - input.hours * 3600_000;
  const [decisions, total, samples] = await Promise.all([
    repo.listDecisions(ctx, POOL_SERVICE, since, input.limit),
    repo.countDecisions(ctx, POOL_SERVICE, since),
    repo.listSamples(ctx, POOL_SERVICE, since - ctx.config.autoscale.horizonMs, now),
  ]);
  return {
    decisions,
    total,
    accuracyRate: forecastHitRate(ctx, samples, since),
  };
}

/**
 * Share of forecasts whose horizon has passed that came within tolerance of the mean
 * arrival rate actually seen over that horizon; null when none can be judged yet.
 */
function forecastHitRate(ctx: Ctx, all: PoolSample[], since: number): number | null {
  const { horizonMs, tolerance } = ctx.config.autoscale;
  const floor = idleRate(ctx);
  const last = all.at(-1)?.sampledAt ?? 0;
  // A week of samples is ~40,000 rows: running sums and two moving bounds keep this linear.
  const sums = [0];
  for (const sample of all) sums.push(sums.at(-1)! + sample.arrivalRate);
  let from = 0;
  let to = 0;
  let hits = 0;
  let count = 0;
  for (const sample of all) {
    const t = sample.sampledAt;
    while (from < all.length && all[from]!.sampledAt <= t) from++;
    while (to < all.length && all[to]!.sampledAt <= t + horizonMs) to++;
    if (t < since || sample.predictedArrivalRate === null || t + horizonMs > last) continue;
    if (to === from) continue;
    const actual = (sums[to]! - sums[from]!) / (to - from);
    count++;
    if (Math.abs(sample.predictedArrivalRate - actual) <= tolerance * Math.max(actual, floor))
      hits++;
  }
  return count === 0 ? null : round3(hits / count);
}
