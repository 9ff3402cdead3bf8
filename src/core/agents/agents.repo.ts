/** Agents in the database: the only place their queries live. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import { paginate } from '../../db/paginate.ts';
import type { AgentsTable } from '../../db/types.ts';
import type { Ctx } from '../context.ts';

export type AgentRow = Selectable<AgentsTable>;
export type AgentChanges = Updateable<AgentsTable>;

export function insertAgent(ctx: Ctx, row: Insertable<AgentsTable>): Promise<AgentRow> {
  return ctx.db.insertInto('agents').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findTenantAgent(
  ctx: Ctx,
  tenantId: string,
  id: string,
): Promise<AgentRow | undefined> {
  return ctx.db
    .selectFrom('agents')
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}

export function listTenantAgents(
  ctx: Ctx,
  tenantId: string,
  page: { limit: number; offset: number; isActive?: boolean },
) {
  let base = ctx.db.selectFrom('agents').where('tenant_id', '=', tenantId);
  if (page.isActive !== undefined) base = base.where('is_active', '=', page.isActive ? 1 : 0);
  return paginate(base, page);
}

export function updateAgent(ctx: Ctx, id: string, changes: AgentChanges): Promise<AgentRow> {
  return ctx.db
    .updateTable('agents')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function deleteAgent(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('agents').where('id', '=', id).execute();
}
