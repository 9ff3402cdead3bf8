/** Project tasks in the database; every query is scoped to the owner. */
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { ProjectTasksTable } from '../../db/codeguide-types.ts';
import type { Ctx } from '../context.ts';
import { searchMatches } from './projects.repo.ts';
import type { ProjectTaskFilter } from './projects.types.ts';

export type ProjectTaskRow = Selectable<ProjectTasksTable>;

export function insertProjectTask(
  ctx: Ctx,
  row: Insertable<ProjectTasksTable>,
): Promise<ProjectTaskRow> {
  return ctx.db.insertInto('project_tasks').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findUserProjectTask(ctx: Ctx, userId: number, id: string) {
  return ctx.db
    .selectFrom('project_tasks')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Tasks in the order a board shows them: by ordinal, then creation. */
export async function pageUserProjectTasks(
  ctx: Ctx,
  userId: number,
  filter: ProjectTaskFilter & { limit?: number; offset?: number },
): Promise<{ rows: ProjectTaskRow[]; total: number }> {
  let base = ctx.db.selectFrom('project_tasks').where('user_id', '=', userId);
  if (filter.taskGroupId !== undefined) base = base.where('task_group_id', '=', filter.taskGroupId);
  if (filter.parentTaskId !== undefined)
    base = base.where('parent_task_id', '=', filter.parentTaskId);
  if (filter.status !== undefined) base = base.where('status', '=', filter.status);
  if (filter.search) base = base.where(searchMatches(ctx, 'project_tasks', filter.search));
  let rowsQuery = base.selectAll().orderBy('ordinal').orderBy('created_at').orderBy('id');
  if (filter.limit !== undefined)
    rowsQuery = rowsQuery.limit(filter.limit).offset(filter.offset ?? 0);
  const [rows, count] = await Promise.all([
    rowsQuery.execute(),
    base.select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/** Every task of the given groups (for groups' `project_tasks`). */
export function tasksOfGroups(ctx: Ctx, groupIds: string[]): Promise<ProjectTaskRow[]> {
  if (groupIds.length === 0) return Promise.resolve([]);
  return ctx.db
    .selectFrom('project_tasks')
    .selectAll()
    .where('task_group_id', 'in', groupIds)
    .orderBy('ordinal')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Direct children of the given tasks (for tasks' `subtasks`). */
export function childrenOf(ctx: Ctx, parentIds: string[]): Promise<ProjectTaskRow[]> {
  if (parentIds.length === 0) return Promise.resolve([]);
  return ctx.db
    .selectFrom('project_tasks')
    .selectAll()
    .where('parent_task_id', 'in', parentIds)
    .orderBy('ordinal')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function updateProjectTask(ctx: Ctx, id: string, changes: Updateable<ProjectTasksTable>) {
  return ctx.db
    .updateTable('project_tasks')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Moves a task's whole subtree to another group (subtasks live in their parent's group). */
export async function moveSubtree(ctx: Ctx, ids: string[], taskGroupId: string): Promise<void> {
  if (ids.length === 0) return;
  await ctx.db
    .updateTable('project_tasks')
    .set({ task_group_id: taskGroupId })
    .where('id', 'in', ids)
    .execute();
}

/** Deletes a task; its subtasks go with it. */
export async function deleteProjectTask(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('project_tasks').where('id', '=', id).execute();
}
