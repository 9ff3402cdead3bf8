/** Queries behind task metrics: one user's tasks, or everyone's (admins). */
import type { Ctx } from '../context.ts';
import type { TaskStatus } from './tasks.types.ts';

/** Whose tasks: one user's, or every task (undefined). */
export type MetricsOwner = number | undefined;

function tasksOf(ctx: Ctx, userId: MetricsOwner) {
  const query = ctx.db.selectFrom('tasks');
  return userId === undefined ? query : query.where('user_id', '=', userId);
}

export async function countTasksByStatus(
  ctx: Ctx,
  userId: MetricsOwner,
): Promise<Partial<Record<TaskStatus, number>>> {
  const rows = await tasksOf(ctx, userId)
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Tasks that finished (succeeded or failed) since `since`: how many, and their mean run time. */
export async function finishedSince(
  ctx: Ctx,
  userId: MetricsOwner,
  since: number,
): Promise<{ count: number; averageMs: number | null }> {
  const row = await tasksOf(ctx, userId)
    .select((eb) => [
      eb.fn.countAll<number>().as('n'),
      eb.fn.avg<number>(eb('completed_at', '-', eb.ref('started_at'))).as('avg_ms'),
    ])
    .where('status', 'in', ['succeeded', 'failed'])
    .where('completed_at', '>=', since)
    .where('started_at', 'is not', null)
    .executeTakeFirst();
  const avg = row?.avg_ms;
  return {
    count: Number(row?.n ?? 0),
    averageMs: avg === null || avg === undefined ? null : Number(avg),
  };
}
