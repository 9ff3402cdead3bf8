/** Codespace tasks in the database; every query is scoped to the owner (tenant and user). */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { CodespaceTasksTable } from '../../db/codeguide-usage-types.ts';
import type { Ctx } from '../context.ts';

export type CodespaceTaskRow = Selectable<CodespaceTasksTable>;

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

export function findUserCodespaceTask(
  ctx: Ctx,
  owner: Owner,
  id: string,
): Promise<CodespaceTaskRow | undefined> {
  return ctx.db
    .selectFrom('codespace_tasks')
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId)
    .executeTakeFirst();
}

export function listUserCodespaceTasks(
  ctx: Ctx,
  owner: Owner,
  filter: { projectId?: string; status?: string },
): Promise<CodespaceTaskRow[]> {
  let query = ctx.db
    .selectFrom('codespace_tasks')
    .selectAll()
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId);
  if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
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
