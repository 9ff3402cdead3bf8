/**
 * The daily task quota: each user may create `daily_limit` tasks per UTC day. One
 * conditional upsert takes a unit, so concurrent creates can never exceed the limit
 * (the row lock on PostgreSQL, the single writer on SQLite).
 */
import { sql } from 'kysely';
import type { Ctx } from '../context.ts';
import { DomainError } from '../errors.ts';

export const DAY_MS = 86_400_000;

export const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

/** Takes one unit of today's quota, or throws quota_exceeded. */
export async function consumeDailyQuota(
  ctx: Ctx,
  userId: number,
  dailyLimit: number,
): Promise<number> {
  const day = utcDay(ctx.clock.now());
  if (dailyLimit <= 0) throw quotaExceeded(dailyLimit, 0);
  const row = await ctx.db
    .insertInto('daily_usage')
    .values({ user_id: userId, day, tasks: 1 })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'day'])
        .doUpdateSet({ tasks: sql`daily_usage.tasks + 1` })
        .where('daily_usage.tasks', '<', dailyLimit),
    )
    .returning('tasks')
    .executeTakeFirst();
  if (!row) throw quotaExceeded(dailyLimit, await usedOn(ctx, userId, day));
  return row.tasks;
}

export async function usedOn(ctx: Ctx, userId: number, day: number): Promise<number> {
  const row = await ctx.db
    .selectFrom('daily_usage')
    .select('tasks')
    .where('user_id', '=', userId)
    .where('day', '=', day)
    .executeTakeFirst();
  return row?.tasks ?? 0;
}

/** Requests per day over a range of days (Codeep's quota_usage). */
export async function usageByDay(
  ctx: Ctx,
  userId: number,
  fromDay: number,
  toDay: number,
): Promise<Map<number, number>> {
  const rows = await ctx.db
    .selectFrom('daily_usage')
    .select(['day', 'tasks'])
    .where('user_id', '=', userId)
    .where('day', '>=', fromDay)
    .where('day', '<=', toDay)
    .execute();
  return new Map(rows.map((r) => [r.day, r.tasks]));
}

export function quotaExceeded(dailyLimit: number, usedToday: number): DomainError {
  return new DomainError('quota_exceeded', 'Daily quota exceeded', {
    daily_limit: dailyLimit,
    used_today: usedToday,
  });
}
