/** The API usage log in the database: one row per authenticated request. */
import type { Insertable, Selectable } from 'kysely';
import type { ApiUsageLogsTable } from '../../db/codeguide-usage-types.ts';
import { precompiled } from '../../db/precompiled.ts';
import type { Ctx } from '../context.ts';

export type ApiUsageLogRow = Selectable<ApiUsageLogsTable>;
export type NewApiUsageLogRow = Insertable<ApiUsageLogsTable>;

const insertOne = precompiled(
  (
    db,
    id: string,
    tenantId: string,
    userId: number,
    surface: string,
    endpoint: string,
    method: string,
    statusCode: number,
    responseTimeMs: number,
    createdAt: number,
  ) =>
    db.insertInto('api_usage_logs').values({
      id,
      tenant_id: tenantId,
      user_id: userId,
      surface,
      endpoint,
      method,
      status_code: statusCode,
      response_time_ms: responseTimeMs,
      created_at: createdAt,
    }),
);

/**
 * Writes a batch. On SQLite (in-process: every microsecond is the API's) one prepared
 * single-row statement runs once per row in one transaction, which costs a third of
 * compiling and preparing a new multi-row statement for every batch size; PostgreSQL
 * gets one multi-row statement (one round trip).
 */
export async function insertApiUsageLogs(ctx: Ctx, rows: NewApiUsageLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  if (ctx.dialect !== 'sqlite') {
    await ctx.db.insertInto('api_usage_logs').values(rows).execute();
    return;
  }
  await ctx.db.transaction().execute(async (trx) => {
    for (const r of rows)
      await insertOne(
        trx,
        'sqlite',
        r.id,
        r.tenant_id,
        r.user_id,
        r.surface,
        r.endpoint,
        r.method,
        r.status_code,
        r.response_time_ms,
        r.created_at,
      );
  });
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
