/** Agent runs in the database: the only place their queries live. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import { paginate } from '../../db/paginate.ts';
import type { AgentRunsTable } from '../../db/types.ts';
import type { Ctx } from '../context.ts';

export type AgentRunRow = Selectable<AgentRunsTable>;

export function insertRun(ctx: Ctx, row: Insertable<AgentRunsTable>): Promise<AgentRunRow> {
  return ctx.db.insertInto('agent_runs').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findRunById(ctx: Ctx, id: string): Promise<AgentRunRow | undefined> {
  return ctx.db.selectFrom('agent_runs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A run of the tenant's agent, or undefined (another tenant's run does not exist for it). */
export function findTenantRun(
  ctx: Ctx,
  tenantId: string,
  agentId: string,
  runId: string,
): Promise<AgentRunRow | undefined> {
  return ctx.db
    .selectFrom('agent_runs')
    .selectAll()
    .where('id', '=', runId)
    .where('agent_id', '=', agentId)
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
}

export function listRuns(ctx: Ctx, agentId: string, page: { limit: number; offset: number }) {
  return paginate(ctx.db.selectFrom('agent_runs').where('agent_id', '=', agentId), page);
}

/** Moves a queued run to running; undefined when it is not queued (taken, or finished). */
export function startRun(ctx: Ctx, id: string): Promise<AgentRunRow | undefined> {
  return ctx.db
    .updateTable('agent_runs')
    .set({ status: 'running' })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
}

/** Records a run's outcome if it is still open; undefined when something finished it first. */
export function finishRun(
  ctx: Ctx,
  id: string,
  outcome: Updateable<AgentRunsTable>,
): Promise<AgentRunRow | undefined> {
  return ctx.db
    .updateTable('agent_runs')
    .set(outcome)
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
}
