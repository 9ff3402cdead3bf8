/**
 * The API usage log: who called which route (its pattern, not the concrete path, so
 * ids never land in it), how it ended and how long it took. Surfaces record from an
 * `onResponse` hook, which runs after the response has been sent: the write never
 * delays the caller.
 */
import type { Ctx } from '../context.ts';
import { invalid } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { uuidv7 } from '../shared/ids.ts';
import * as repo from './api-usage-logs.repo.ts';

export interface ApiCall {
  surface: string;
  endpoint: string;
  method: string;
  statusCode: number;
  responseTimeMs: number;
}

/** Logs a call by the acting user (anonymous requests are not logged). */
export async function recordApiCall(ctx: Ctx, call: ApiCall): Promise<void> {
  if (ctx.actor.kind !== 'user') return;
  const now = ctx.clock.now();
  await repo.insertApiUsageLogs(ctx, [
    {
      id: uuidv7(now),
      tenant_id: ctx.actor.tenantId,
      user_id: ctx.actor.userId,
      surface: call.surface,
      endpoint: call.endpoint,
      method: call.method,
      status_code: call.statusCode,
      response_time_ms: Math.round(call.responseTimeMs * 100) / 100,
      created_at: now,
    },
  ]);
}

export interface ApiUsageLog {
  id: string;
  userUuid: string;
  endpoint: string;
  method: string;
  at: number;
  statusCode: number;
  responseTimeMs: number;
}

/** The caller's log, newest first. */
export async function listApiUsageLogs(
  ctx: Ctx,
  filter: repo.ApiUsageLogFilter,
): Promise<ApiUsageLog[]> {
  const actor = requireUser(ctx);
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to)
    throw invalid('start_date', 'start_date: must not be after end_date');
  const rows = await repo.listUserApiUsageLogs(ctx, actor, {
    ...filter,
    method: filter.method?.toUpperCase(),
  });
  return rows.map((row) => ({
    id: row.id,
    userUuid: actor.userUuid,
    endpoint: row.endpoint,
    method: row.method,
    at: Number(row.created_at),
    statusCode: Number(row.status_code),
    responseTimeMs: Number(row.response_time_ms),
  }));
}
