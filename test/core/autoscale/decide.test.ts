/**
 * decide(): the forecast scales ahead of a ramp the threshold rule cannot see yet; too
 * little history, no model or no job durations fall back to the rule and say why; a
 * manual decision holds until it expires.
 */
import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import type {
  ForecastModel,
  PoolMeasurement,
  PoolSample,
} from '../../../src/core/autoscale/autoscale.types.ts';
import { decide } from '../../../src/core/autoscale/decide.ts';
import type { Ctx } from '../../../src/core/context.ts';
import { ManualClock } from '../../../src/core/shared/clock.ts';

const clock = new ManualClock('2026-12-01T12:00:00Z');
const ctx = {
  config: loadConfig({
    TASKLANE_DATA_DIR: os.tmpdir(),
    TASKLANE_AUTOSCALE_SAMPLE_MS: '15000',
    TASKLANE_AUTOSCALE_HORIZON_MS: '300000',
    TASKLANE_AUTOSCALE_TARGET_WAIT_MS: '5000',
    TASKLANE_AUTOSCALE_MIN_WORKERS: '1',
    TASKLANE_AUTOSCALE_MAX_WORKERS: '20',
  }),
  clock,
} as unknown as Ctx;

function measurement(arrivalRate: number, over: Partial<PoolMeasurement> = {}): PoolMeasurement {
  return {
    sampledAt: clock.now(),
    intervalMs: 15_000,
    queueDepth: 0,
    running: 1,
    arrivals: Math.round(arrivalRate * 15),
    completions: Math.round(arrivalRate * 15),
    arrivalRate,
    completionRate: arrivalRate,
    serviceTimeMs: 2000,
    cpuUsage: 30,
    memoryUsage: 50,
    currentWorkers: 2,
    ...over,
  };
}

function history(rates: number[]): PoolSample[] {
  return rates.map((rate, i) => ({
    ...measurement(rate),
    id: `s${i}`,
    service: 'worker',
    sampledAt: clock.now() - (rates.length - i) * 15_000,
    desiredWorkers: 2,
    trigger: 'threshold',
    predictedArrivalRate: null,
    modelVersion: null,
  }));
}

const model: ForecastModel = {
  version: 4,
  service: 'worker',
  modelType: 'scaling_predictor',
  algorithm: 'arima',
  params: { p: 0, d: 2, q: 2 },
  accuracy: 0.9,
  samples: 60,
  trainingHours: 168,
  durationMs: 1200,
  jobId: null,
  trainedAt: clock.now() - 60_000,
};

/** A steady climb from 0.2 to 1.0 jobs/s: 2-second jobs need 0.4 → 2 slots and rising. */
const ramp = Array.from({ length: 59 }, (_, i) => 0.2 + (0.8 * i) / 58 + ((i * 7) % 3) / 100);

test('the forecast scales ahead of a ramp that the threshold rule does not see yet', async () => {
  const latest = measurement(1.0);
  const predicted = await decide(ctx, latest, history(ramp), model, undefined);
  assert.equal(predicted.trigger, 'ml_prediction');
  assert.equal(predicted.modelVersion, 4);
  assert.ok(predicted.desired > 2, `the ramp continues: ${predicted.desired} slots`);
  assert.ok(predicted.predictedArrivalRate! > 1, `${predicted.predictedArrivalRate}`);
  assert.match(predicted.reason, /^Arrivals predicted to rise from 1\.00 jobs\/s to /);
  assert.ok(predicted.confidence !== null && predicted.confidence > 0 && predicted.confidence <= 1);
  // The rule, with nothing waiting yet, holds at two slots.
  const ruled = await decide(ctx, latest, history(ramp), undefined, undefined);
  assert.equal(ruled.trigger, 'threshold');
  assert.equal(ruled.desired, 2);
  assert.equal(ruled.confidence, null);
  assert.match(ruled.reason, /^No forecasting model trained yet; threshold rule: /);
});

test('too little history, or no job duration, falls back to the rule and says why', async () => {
  const short = await decide(ctx, measurement(1), history(ramp.slice(0, 10)), model, undefined);
  assert.equal(short.trigger, 'threshold');
  assert.match(short.reason, /^Only 11 of the 30 samples a forecast needs; threshold rule: /);
  const noDurations = history(ramp).map((s) => ({ ...s, serviceTimeMs: null }));
  const blind = await decide(
    ctx,
    measurement(1, { serviceTimeMs: null }),
    noDurations,
    model,
    undefined,
  );
  assert.equal(blind.trigger, 'threshold');
  assert.match(blind.reason, /^No finished job yet to measure how long jobs take/);
});

test('a manual decision holds until it expires', async () => {
  const state = {
    service: 'worker',
    desiredWorkers: 7,
    trigger: 'manual' as const,
    reason: 'Sale at noon',
    manualUntil: clock.now() + 60_000,
    updatedAt: clock.now(),
  };
  const held = await decide(ctx, measurement(1), history(ramp), model, state);
  assert.equal(held.trigger, 'manual');
  assert.equal(held.desired, 7);
  assert.match(held.reason, /^Sale at noon \(manual until 2026-12-01T12:01:00\.000Z\)$/);
  const expired = await decide(ctx, measurement(1), history(ramp), model, {
    ...state,
    manualUntil: clock.now() - 1,
  });
  assert.equal(expired.trigger, 'ml_prediction');
});
