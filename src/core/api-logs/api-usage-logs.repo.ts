/** The API usage log in the database: one row per authenticated request. */
import type { Insertable, Selectable } from 'kysely';
import type { ApiUsageLogsTable } from '../../db/codeguide-usage-types.ts';
import type { Ctx } from '../context.ts';

export type ApiUsageLogRow = Selectable<ApiUsageLogsTable>;
export type NewApiUsageLogRow = Insertable<ApiUsageLogsTable>;

export async function insertApiUsageLogs(ctx: Ctx, rows: NewApiUsageLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  await ctx.db.insertInto('api_usage_logs').values(rows).execute();
}

export interface ApiUsageLogFilter {
  from?: number;
  to?: number;
  endpoint?: string;
  method?: string;
  limit: number;
}

export function listUserApiUsageLogs(
  ctx: Ctx,
  owner: { userId: number; tenantId: string },
  filter: ApiUsageLogFilter,
): Promise<ApiUsageLogRow[]> {
  let query = ctx.db
    .selectFrom('api_usage_logs')
    .selectAll()
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId);
  if (filter.from !== undefined) query = query.where('created_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('created_at', '<=', filter.to);
  if (filter.endpoint !== undefined) query = query.where('endpoint', '=', filter.endpoint);
  if (filter.method !== undefined) query = query.where('method', '=', filter.method);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Deletes at most `limit` rows older than `cutoff`; returns how many went. */
export async function deleteApiUsageLogsBefore(
  ctx: Ctx,
  cutoff: number,
  limit: number,
): Promise<number> {
  const result = await ctx.db
    .deleteFrom('api_usage_logs')
    .where(
      'id',
      'in',
      ctx.db
        .selectFrom('api_usage_logs')
        .select('id')
        .where('created_at', '<', cutoff)
        .limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
