/** The sizing rules on their own: predictor, threshold rule, confidence, split per process. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clampWorkers,
  shareOf,
  sufficiencyProbability,
  thresholdRule,
  workersForLoad,
} from '../../../src/core/autoscale/decision.ts';

const limits = { min: 1, max: 8 };

test('workersForLoad: offered load λ·S plus what drains the backlog within the target wait', () => {
  // 2 jobs/s × 1.5 s = 3 busy slots; nothing waiting.
  assert.equal(
    workersForLoad({ arrivalRate: 2, serviceTimeSec: 1.5, queueDepth: 0, targetWaitSec: 5 }),
    3,
  );
  // Plus 10 waiting × 1.5 s / 5 s = 3 more.
  assert.equal(
    workersForLoad({ arrivalRate: 2, serviceTimeSec: 1.5, queueDepth: 10, targetWaitSec: 5 }),
    6,
  );
  // Idle: still one slot.
  assert.equal(
    workersForLoad({ arrivalRate: 0, serviceTimeSec: 1, queueDepth: 0, targetWaitSec: 5 }),
    1,
  );
  assert.equal(clampWorkers(20, limits), 8);
  assert.equal(clampWorkers(0, limits), 1);
});

test('sufficiencyProbability is a probability that grows with the slots and shrinks with the forecast error', () => {
  const load = { arrivalRate: 2, serviceTimeSec: 1, queueDepth: 0, targetWaitSec: 5 };
  const two = sufficiencyProbability(2, load, 0.25);
  const four = sufficiencyProbability(4, load, 0.25);
  assert.ok(two >= 0.45 && two <= 0.55, `at capacity = forecast, about even: ${two}`);
  assert.ok(four > 0.99, `twice the capacity: ${four}`);
  assert.ok(sufficiencyProbability(3, load, 4) < sufficiencyProbability(3, load, 0.25));
  assert.equal(sufficiencyProbability(3, load, 0), 1);
  assert.equal(sufficiencyProbability(1, load, 0), 0);
});

test('thresholdRule: one up while more than one job waits per slot, one down when idle', () => {
  assert.equal(thresholdRule({ current: 2, queueDepth: 5, running: 2 }, limits).desired, 3);
  assert.equal(thresholdRule({ current: 8, queueDepth: 50, running: 8 }, limits).desired, 8);
  assert.equal(thresholdRule({ current: 4, queueDepth: 0, running: 1 }, limits).desired, 3);
  assert.equal(thresholdRule({ current: 1, queueDepth: 0, running: 0 }, limits).desired, 1);
  const steady = thresholdRule({ current: 3, queueDepth: 2, running: 3 }, limits);
  assert.equal(steady.desired, 3);
  assert.match(steady.reason, /within thresholds/);
});

test('shareOf splits the pool evenly over the live processes, remainder first, never below one', () => {
  const ids = ['b', 'a', 'c'];
  const shares = ['a', 'b', 'c'].map((id) => shareOf(7, ids, id));
  assert.deepEqual(shares, [3, 2, 2]);
  assert.equal(
    shares.reduce((x, y) => x + y),
    7,
  );
  assert.deepEqual(
    ['a', 'b', 'c'].map((id) => shareOf(1, ids, id)),
    [1, 1, 1],
  );
  // A process not yet in the registry counts itself.
  assert.equal(shareOf(4, ['a'], 'z'), 2);
});
