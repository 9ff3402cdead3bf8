/** Task groups in the database; every query is scoped to the owner. */
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { TaskGroupsTable } from '../../db/codeguide-types.ts';
import type { Ctx } from '../context.ts';

export type TaskGroupRow = Selectable<TaskGroupsTable>;

export function insertTaskGroup(ctx: Ctx, row: Insertable<TaskGroupsTable>): Promise<TaskGroupRow> {
  return ctx.db.insertInto('task_groups').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findUserTaskGroup(ctx: Ctx, userId: number, id: string) {
  return ctx.db
    .selectFrom('task_groups')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function pageUserTaskGroups(
  ctx: Ctx,
  userId: number,
  query: { projectId?: string; limit?: number; offset?: number },
): Promise<{ rows: TaskGroupRow[]; total: number }> {
  let base = ctx.db.selectFrom('task_groups').where('user_id', '=', userId);
  if (query.projectId !== undefined) base = base.where('project_id', '=', query.projectId);
  let rowsQuery = base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc');
  if (query.limit !== undefined) rowsQuery = rowsQuery.limit(query.limit).offset(query.offset ?? 0);
  const [rows, count] = await Promise.all([
    rowsQuery.execute(),
    base.select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

export function updateTaskGroup(ctx: Ctx, id: string, changes: Updateable<TaskGroupsTable>) {
  return ctx.db
    .updateTable('task_groups')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes a group; its tasks go with it. */
export async function deleteTaskGroup(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('task_groups').where('id', '=', id).execute();
}
