/**
 * The daily task quota: each user may start `daily_limit` task executions per UTC day
 * (a create or a re-run). Taking a unit is one conditional upsert (quota.repo.ts), so
 * concurrent takers can never exceed the limit.
 */
import type { Ctx } from '../context.ts';
import { DomainError } from '../errors.ts';
import { utcDay } from '../shared/clock.ts';
import * as repo from './quota.repo.ts';

/** Takes one unit of today's quota, or throws quota_exceeded. */
export async function consumeDailyQuota(
  ctx: Ctx,
  userId: number,
  dailyLimit: number,
): Promise<number> {
  const day = utcDay(ctx.clock.now());
  if (dailyLimit <= 0) throw quotaExceeded(dailyLimit, 0);
  const count = await repo.takeUnit(ctx, userId, day, dailyLimit);
  if (count === undefined) throw quotaExceeded(dailyLimit, await repo.countOn(ctx, userId, day));
  return count;
}

export function usedOn(ctx: Ctx, userId: number, day: number): Promise<number> {
  return repo.countOn(ctx, userId, day);
}

/** Executions per day over a range of days (Codeep's quota_usage). */
export function usageByDay(
  ctx: Ctx,
  userId: number,
  fromDay: number,
  toDay: number,
): Promise<Map<number, number>> {
  return repo.countsByDay(ctx, userId, fromDay, toDay);
}

export function quotaExceeded(dailyLimit: number, usedToday: number): DomainError {
  return new DomainError('quota_exceeded', 'Daily quota exceeded', {
    daily_limit: dailyLimit,
    used_today: usedToday,
  });
}
