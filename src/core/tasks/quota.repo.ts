/** The daily task counts (`daily_usage`) in the database: the only place their queries live. */
import { sql } from 'kysely';
import { precompiled } from '../../db/precompiled.ts';
import type { Ctx } from '../context.ts';

/**
 * Takes one unit of the user's count for `day` unless it is at `limit`: one conditional
 * upsert, so concurrent takers can never pass the limit (the row lock on PostgreSQL, the
 * single writer on SQLite). Returns the new count, or undefined when the limit is reached.
 */
export async function takeUnit(
  ctx: Ctx,
  userId: number,
  day: number,
  limit: number,
): Promise<number | undefined> {
  const [row] = await takeUnitQuery(ctx.db, ctx.dialect, userId, day, limit);
  return row?.tasks;
}

// Every task creation runs it: compiled once (db/precompiled.ts).
const takeUnitQuery = precompiled((db, userId: number, day: number, limit: number) =>
  db
    .insertInto('daily_usage')
    .values({ user_id: userId, day, tasks: 1 })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'day'])
        .doUpdateSet({ tasks: sql`daily_usage.tasks + 1` })
        .where('daily_usage.tasks', '<', limit),
    )
    .returning('tasks'),
);

export async function countOn(ctx: Ctx, userId: number, day: number): Promise<number> {
  const row = await ctx.db
    .selectFrom('daily_usage')
    .select('tasks')
    .where('user_id', '=', userId)
    .where('day', '=', day)
    .executeTakeFirst();
  return row?.tasks ?? 0;
}

export async function countsByDay(
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
