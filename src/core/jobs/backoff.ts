/** How long a failed job waits before its next try. */
import type { Config } from '../../config.ts';

export interface Backoff {
  baseMs: number;
  maxMs: number;
  /** A fixed schedule instead (delay before try 2, 3, …; the last repeats), from config. */
  schedule?: (config: Config) => number[];
}

/** Capped exponential backoff with jitter: base × 2^(attempt−1), at most max, ±50%. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random()));
}

/** The delay after failed try `attempt`: the schedule's entry ±20%, or capped exponential. */
export function retryDelay(
  config: Config,
  backoff: Backoff,
  attempt: number,
  random: () => number = Math.random,
): number {
  const schedule = backoff.schedule?.(config);
  if (schedule && schedule.length > 0) {
    const base = schedule[Math.min(Math.max(0, attempt - 1), schedule.length - 1)]!;
    return Math.round(base * (0.8 + 0.4 * random()));
  }
  return backoffDelay(attempt, backoff.baseMs, backoff.maxMs, random);
}
