/** The ARIMA forecaster (the `arima` package's WebAssembly build) and its accuracy measure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CANDIDATE_ORDERS,
  forecast,
  forecastAccuracy,
  selectOrder,
} from '../../../src/core/autoscale/forecaster.ts';

/** A daily-like wave with a little deterministic noise. */
const wave = Array.from({ length: 120 }, (_, i) => 5 + 3 * Math.sin(i / 6) + ((i * 7) % 5) / 10);

test('forecast: an ARIMA fit continues a series, with growing error variance and no negative rates', async () => {
  const result = await forecast(wave, { p: 2, d: 0, q: 1 }, 10);
  assert.equal(result.mean.length, 10);
  assert.equal(result.variance.length, 10);
  assert.ok(result.mean.every((v) => Number.isFinite(v) && v >= 0));
  assert.ok(result.variance[9]! >= result.variance[0]!, 'uncertainty grows with the distance');
  // A rising ramp is forecast to keep rising.
  const ramp = Array.from({ length: 60 }, (_, i) => i / 2 + ((i * 3) % 4) / 10);
  const up = await forecast(ramp, { p: 1, d: 1, q: 1 }, 5);
  assert.ok(up.mean[4]! > ramp.at(-10)!, `ramp forecast ${up.mean[4]} continues upwards`);
});

test('forecast refuses a series too short for the order, with an error (never a made-up number)', async () => {
  await assert.rejects(forecast([1, 2, 3], { p: 2, d: 1, q: 2 }, 3));
});

test('forecastAccuracy is 1 − WAPE, bounded to [0, 1], defined for idle windows', () => {
  assert.equal(forecastAccuracy([10, 10], [10, 10], 0.01), 1);
  assert.equal(forecastAccuracy([10, 10], [8, 12], 0.01), 0.8);
  assert.equal(forecastAccuracy([1, 1], [100, 100], 0.01), 0);
  // Nothing arrived: an error of 0.005/s against a floor of 0.01/s is half wrong.
  assert.equal(forecastAccuracy([0, 0], [0.005, 0.005], 0.01), 0.5);
  assert.equal(forecastAccuracy([0, 0], [0, 0], 0), 1);
});

test('selectOrder picks the candidate that forecasts the holdout best, and says how well', async () => {
  const chosen = await selectOrder(wave, 12, 0.01);
  assert.ok(chosen);
  assert.ok(CANDIDATE_ORDERS.includes(chosen.params));
  assert.ok(chosen.accuracy > 0.5 && chosen.accuracy <= 1, `accuracy ${chosen.accuracy}`);
  for (const params of CANDIDATE_ORDERS) {
    try {
      const { mean } = await forecast(wave.slice(0, -12), params, 12);
      assert.ok(forecastAccuracy(wave.slice(-12), mean, 0.01) <= chosen.accuracy + 1e-12);
    } catch {}
  }
});
