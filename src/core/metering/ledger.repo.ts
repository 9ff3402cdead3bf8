/** The usage ledger's queries: one row per metered thing (an LLM step, sandbox time, a task). */
import type { ExpressionBuilder, Insertable, Selectable } from 'kysely';
import type { Database, UsageRecordsTable } from '../../db/types.ts';
import type { Ctx } from '../context.ts';

export type UsageRow = Insertable<UsageRecordsTable>;

export async function insertUsage(ctx: Ctx, row: UsageRow): Promise<void> {
  await ctx.db.insertInto('usage_records').values(row).execute();
}

export interface UsageTotals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  durationMs: number;
  costMicroUsd: number;
}

export interface UsageFilter {
  userId?: number;
  tenantId?: string;
  fromDay: number;
  toDay: number;
  kinds?: UsageRecordsTable['kind'][];
}

function scoped(ctx: Ctx, filter: UsageFilter) {
  let query = ctx.db
    .selectFrom('usage_records')
    .where('day', '>=', filter.fromDay)
    .where('day', '<=', filter.toDay);
  if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
  if (filter.kinds) query = query.where('kind', 'in', filter.kinds);
  return query;
}

const totals = (eb: ExpressionBuilder<Database, 'usage_records'>) => [
  eb.fn.countAll().as('calls'),
  eb.fn.coalesce(eb.fn.sum('input_tokens'), eb.lit(0)).as('input_tokens'),
  eb.fn.coalesce(eb.fn.sum('output_tokens'), eb.lit(0)).as('output_tokens'),
  eb.fn.coalesce(eb.fn.sum('duration_ms'), eb.lit(0)).as('duration_ms'),
  eb.fn.coalesce(eb.fn.sum('cost_micro_usd'), eb.lit(0)).as('cost_micro_usd'),
];

function toTotals(row: Record<string, unknown>): UsageTotals {
  return {
    calls: Number(row.calls ?? 0),
    inputTokens: Number(row.input_tokens ?? 0),
    outputTokens: Number(row.output_tokens ?? 0),
    durationMs: Number(row.duration_ms ?? 0),
    costMicroUsd: Number(row.cost_micro_usd ?? 0),
  };
}

export async function usageTotals(ctx: Ctx, filter: UsageFilter): Promise<UsageTotals> {
  const row = await scoped(ctx, filter).select(totals).executeTakeFirst();
  return toTotals(row ?? {});
}

export async function usageByDay(ctx: Ctx, filter: UsageFilter): Promise<Map<number, UsageTotals>> {
  const rows = await scoped(ctx, filter)
    .select((eb) => ['day', ...totals(eb)])
    .groupBy('day')
    .orderBy('day')
    .execute();
  return new Map(rows.map((r) => [Number(r.day), toTotals(r)]));
}

export async function usageByModel(
  ctx: Ctx,
  filter: UsageFilter,
): Promise<Map<string, UsageTotals>> {
  const rows = await scoped(ctx, filter)
    .where('model_key', 'is not', null)
    .select((eb) => ['model_key', ...totals(eb)])
    .groupBy('model_key')
    .orderBy('model_key')
    .execute();
  return new Map(rows.map((r) => [String(r.model_key), toTotals(r)]));
}

export type UsageRecord = Selectable<UsageRecordsTable>;

/** A user's ledger rows about one codespace task, oldest first. */
export async function usageForCodespaceTask(
  ctx: Ctx,
  owner: { userId: number; tenantId: string },
  codespaceTaskId: string,
): Promise<UsageRecord[]> {
  return ctx.db
    .selectFrom('usage_records')
    .selectAll()
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId)
    .where('codespace_task_id', '=', codespaceTaskId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
