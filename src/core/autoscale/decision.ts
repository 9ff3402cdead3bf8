/**
 * How many job slots the pool needs: the predictor's sizing rule, the threshold rule it
 * falls back on, and how a pool-wide count is split among worker processes. Pure
 * functions, so the rules are tested on their own and the benchmark compares them.
 */
import { cumulativeStdNormalProbability } from 'simple-statistics';

export interface PoolLimits {
  min: number;
  max: number;
}

export function clampWorkers(count: number, limits: PoolLimits): number {
  return Math.min(limits.max, Math.max(limits.min, Math.ceil(count)));
}

export interface LoadInput {
  /** Arrivals per second the pool must absorb. */
  arrivalRate: number;
  /** Mean time a job occupies a slot (seconds). */
  serviceTimeSec: number;
  /** Jobs already waiting. */
  queueDepth: number;
  /** Expected queue wait to stay under (seconds). */
  targetWaitSec: number;
}

/**
 * Slots needed so that arrivals are absorbed (offered load λ·S, Little's law) and the
 * backlog already waiting drains within the target wait (Q·S/W more slots).
 */
export function workersForLoad(input: LoadInput): number {
  const { arrivalRate, serviceTimeSec, queueDepth, targetWaitSec } = input;
  const sustain = arrivalRate * serviceTimeSec;
  const drain = (queueDepth * serviceTimeSec) / targetWaitSec;
  return Math.max(1, Math.ceil(sustain + drain - 1e-9));
}

/**
 * The probability that `workers` slots keep up with the forecast: the capacity left for
 * new arrivals (after draining the backlog within the target) against a normal forecast
 * with the model's own error variance at the peak step.
 */
export function sufficiencyProbability(
  workers: number,
  input: LoadInput,
  forecastVariance: number,
): number {
  const { serviceTimeSec, queueDepth, targetWaitSec, arrivalRate } = input;
  const capacityRate = (workers - (queueDepth * serviceTimeSec) / targetWaitSec) / serviceTimeSec;
  const sd = Math.sqrt(forecastVariance);
  if (sd === 0) return capacityRate >= arrivalRate ? 1 : 0;
  return cumulativeStdNormalProbability((capacityRate - arrivalRate) / sd);
}

export interface ThresholdInput {
  current: number;
  queueDepth: number;
  running: number;
}

export interface RuleOutcome {
  desired: number;
  reason: string;
}

/**
 * The classic step rule: one slot more while more than one job waits per slot, one
 * fewer when nothing waits and under half the slots are busy, otherwise unchanged.
 */
export function thresholdRule(input: ThresholdInput, limits: PoolLimits): RuleOutcome {
  const current = Math.max(input.current, 1);
  if (input.queueDepth > current) {
    return {
      desired: clampWorkers(current + 1, limits),
      reason: `${input.queueDepth} jobs waiting for ${current} workers (more than one each)`,
    };
  }
  if (input.queueDepth === 0 && input.running < current / 2) {
    return {
      desired: clampWorkers(current - 1, limits),
      reason: `Queue empty and ${input.running} of ${current} workers busy`,
    };
  }
  return {
    desired: clampWorkers(current, limits),
    reason: `${input.queueDepth} waiting, ${input.running} of ${current} workers busy: within thresholds`,
  };
}

/**
 * This process's share of a pool-wide count: split evenly over the live worker
 * processes (ordered by id so every process computes the same split), the remainder to
 * the first ones; never below one slot, so a live process keeps draining its queue.
 */
export function shareOf(desired: number, liveWorkerIds: readonly string[], myId: string): number {
  const ids = [...new Set([...liveWorkerIds, myId])].sort();
  const base = Math.floor(desired / ids.length);
  const extra = desired % ids.length;
  return Math.max(1, base + (ids.indexOf(myId) < extra ? 1 : 0));
}
