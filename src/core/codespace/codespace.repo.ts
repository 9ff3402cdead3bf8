/**
 * Codespace tasks in the database; every query is scoped to the owner (tenant and user).
 * Read with their core task (same id): its status, progress, result and error.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { CodespaceTasksTable } from '../../db/codeguide-usage-types.ts';
import type { Ctx } from '../context.ts';

export type CodespaceTaskRow = Selectable<CodespaceTasksTable>;

/** A record with its run's state (null for records made before codespace tasks ran). */
export interface CodespaceTaskView extends CodespaceTaskRow {
  task_status: string | null;
  task_progress: number | null;
  task_result: string | null;
  task_error: string | null;
  task_updated_at: number | null;
}

export interface Owner {
  userId: number;
  tenantId: string;
}

export async function insertCodespaceTask(
  ctx: Ctx,
  row: Insertable<CodespaceTasksTable>,
): Promise<CodespaceTaskRow> {
  await ctx.db.insertInto('codespace_tasks').values(row).execute();
  return row as CodespaceTaskRow;
}

function viewsOf(ctx: Ctx, owner: Owner) {
  return ctx.db
    .selectFrom('codespace_tasks as c')
    .leftJoin('tasks as t', 't.id', 'c.id')
    .selectAll('c')
    .select([
      't.status as task_status',
      't.progress as task_progress',
      't.result as task_result',
      't.error_message as task_error',
      't.updated_at as task_updated_at',
    ])
    .where('c.tenant_id', '=', owner.tenantId)
    .where('c.user_id', '=', owner.userId);
}

export function findUserCodespaceTask(
  ctx: Ctx,
  owner: Owner,
  id: string,
): Promise<CodespaceTaskView | undefined> {
  return viewsOf(ctx, owner).where('c.id', '=', id).executeTakeFirst();
}

export function listUserCodespaceTasks(
  ctx: Ctx,
  owner: Owner,
  filter: { projectId?: string; status?: string; taskStatuses?: string[] },
): Promise<CodespaceTaskView[]> {
  let query = viewsOf(ctx, owner);
  if (filter.projectId !== undefined) query = query.where('c.project_id', '=', filter.projectId);
  const { status, taskStatuses } = filter;
  if (status !== undefined && taskStatuses !== undefined)
    query = query.where((eb) =>
      eb.or([
        eb('t.status', 'in', taskStatuses),
        eb.and([eb('t.id', 'is', null), eb('c.status', '=', status)]),
      ]),
    );
  return query.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').execute();
}

export async function updateCodespaceTask(
  ctx: Ctx,
  owner: Owner,
  id: string,
  changes: Updateable<CodespaceTasksTable>,
): Promise<void> {
  await ctx.db
    .updateTable('codespace_tasks')
    .set(changes)
    .where('id', '=', id)
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId)
    .execute();
}

export async function deleteCodespaceTask(ctx: Ctx, owner: Owner, id: string): Promise<void> {
  await ctx.db
    .deleteFrom('codespace_tasks')
    .where('id', '=', id)
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId)
    .execute();
}
