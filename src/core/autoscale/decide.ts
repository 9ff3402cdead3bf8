/**
 * One sizing decision: a manual decision still holding, else the forecast when a model
 * and enough history exist, else the threshold rule (and `reason` says why).
 */
import type { Ctx } from '../context.ts';
import { isoTime } from '../shared/clock.ts';
import type {
  DesiredState,
  ForecastModel,
  PoolMeasurement,
  PoolSample,
  ScalingTrigger,
} from './autoscale.types.ts';
import {
  clampWorkers,
  type PoolLimits,
  sufficiencyProbability,
  thresholdRule,
  workersForLoad,
} from './decision.ts';
import { forecast } from './forecaster.ts';
import { FORECAST_WINDOW, horizonSteps, poolLimits } from './pool.ts';

export interface Decision {
  desired: number;
  trigger: ScalingTrigger;
  reason: string;
  confidence: number | null;
  predictedArrivalRate: number | null;
  modelVersion: number | null;
}

/**
 * Decides the pool's size from the latest measurement and the recorded history: the
 * forecast when a model exists and the history is long enough, else the threshold rule
 * (and `reason` says why). A manual decision still holding wins over both.
 */
export async function decide(
  ctx: Ctx,
  latest: PoolMeasurement,
  history: PoolSample[],
  model: ForecastModel | undefined,
  state: DesiredState | undefined,
): Promise<Decision> {
  const limits = poolLimits(ctx);
  const now = ctx.clock.now();
  if (state?.manualUntil && state.manualUntil > now) {
    return {
      desired: clampWorkers(state.desiredWorkers, limits),
      trigger: 'manual',
      reason: `${state.reason} (manual until ${isoTime(state.manualUntil)})`,
      confidence: null,
      predictedArrivalRate: null,
      modelVersion: model?.version ?? null,
    };
  }
  const current = latest.currentWorkers || state?.desiredWorkers || limits.min;
  const fallback = (why: string): Decision => {
    const rule = thresholdRule(
      { current, queueDepth: latest.queueDepth, running: latest.running },
      limits,
    );
    return {
      desired: rule.desired,
      trigger: 'threshold',
      reason: `${why}; threshold rule: ${rule.reason}`,
      confidence: null,
      predictedArrivalRate: null,
      modelVersion: model?.version ?? null,
    };
  };
  const { minHistory, targetWaitMs, horizonMs } = ctx.config.autoscale;
  const series = [...history.map((s) => s.arrivalRate), latest.arrivalRate];
  if (series.length < minHistory)
    return fallback(`Only ${series.length} of the ${minHistory} samples a forecast needs`);
  if (!model) return fallback('No forecasting model trained yet');
  const serviceTimeMs =
    latest.serviceTimeMs ?? history.findLast((s) => s.serviceTimeMs !== null)?.serviceTimeMs;
  if (!serviceTimeMs) return fallback('No finished job yet to measure how long jobs take');

  const steps = horizonSteps(ctx);
  let predicted: Awaited<ReturnType<typeof forecast>>;
  try {
    predicted = await forecast(series.slice(-FORECAST_WINDOW), model.params, steps);
  } catch (error) {
    return fallback(`Forecast failed (${error instanceof Error ? error.message : error})`);
  }
  // Size for the peak of the horizon; judge the forecast later by its mean.
  const peakIndex = predicted.mean.indexOf(Math.max(...predicted.mean));
  const peak = predicted.mean[peakIndex]!;
  const meanRate = predicted.mean.reduce((a, b) => a + b, 0) / predicted.mean.length;
  const load = {
    arrivalRate: peak,
    serviceTimeSec: serviceTimeMs / 1000,
    queueDepth: latest.queueDepth,
    targetWaitSec: targetWaitMs / 1000,
  };
  const needed = workersForLoad(load);
  const desired = clampWorkers(needed, limits);
  const confidence = sufficiencyProbability(desired, load, predicted.variance[peakIndex]!);
  return {
    desired,
    trigger: 'ml_prediction',
    reason: describeForecast({
      now: latest.arrivalRate,
      peak,
      horizon: formatSpan(horizonMs),
      desired,
      needed,
      limits,
      serviceTimeMs,
      queueDepth: latest.queueDepth,
      targetWaitMs,
      order: `ARIMA(${model.params.p},${model.params.d},${model.params.q})`,
    }),
    confidence: round3(confidence),
    predictedArrivalRate: meanRate,
    modelVersion: model.version,
  };
}

function describeForecast(f: {
  now: number;
  peak: number;
  horizon: string;
  desired: number;
  needed: number;
  limits: PoolLimits;
  serviceTimeMs: number;
  queueDepth: number;
  targetWaitMs: number;
  order: string;
}): string {
  const rate = (r: number) => `${r.toFixed(2)} jobs/s`;
  const trend =
    f.peak > f.now * 1.2 + 0.01
      ? `Arrivals predicted to rise from ${rate(f.now)} to ${rate(f.peak)} in the next ${f.horizon}`
      : f.peak < f.now * 0.8 - 0.01
        ? `Arrivals predicted to fall from ${rate(f.now)} to ${rate(f.peak)} in the next ${f.horizon}`
        : `Arrivals predicted steady around ${rate(f.peak)} over the next ${f.horizon}`;
  const capped =
    f.needed > f.limits.max
      ? ` (${f.needed} needed, capped at the maximum ${f.limits.max})`
      : f.needed < f.limits.min
        ? ` (minimum ${f.limits.min})`
        : '';
  return `${trend}; ${f.desired} ${f.desired === 1 ? 'worker' : 'workers'}${capped} keep the expected queue wait under ${formatSpan(f.targetWaitMs)} with ${f.queueDepth} waiting and jobs taking ${(f.serviceTimeMs / 1000).toFixed(2)} s (${f.order})`;
}

/** "5m", "30s", "2h": the spec's duration words. */
export function formatSpan(ms: number): string {
  if (ms >= 3600_000 && ms % 3600_000 === 0) return `${ms / 3600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 60_000) return `${Math.ceil(ms / 60_000)}m`;
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000;
