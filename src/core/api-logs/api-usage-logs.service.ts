/**
 * The API usage log: who called which route (its pattern, not the concrete path, so
 * ids never land in it), how it ended and how long it took. Surfaces record from an
 * `onResponse` hook, which runs after the response has been sent, into a buffer that is
 * written in batches (api-call-buffer.ts): the write never delays the caller.
 */

import type { Logger } from 'pino';
import { type Ctx, createContext, type Runtime, systemActor } from '../context.ts';
import { invalid } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { uuidv7 } from '../shared/ids.ts';
import { ApiCallBuffer } from './api-call-buffer.ts';
import * as repo from './api-usage-logs.repo.ts';

export interface ApiCall {
  surface: string;
  endpoint: string;
  method: string;
  statusCode: number;
  responseTimeMs: number;
}

/** The process's buffer of recorded calls, written as the system (runtime.ts makes one). */
export function createApiCallBuffer(
  runtime: () => Runtime,
  log: Logger,
  flushMs: number,
): ApiCallBuffer {
  return new ApiCallBuffer(
    (rows) => repo.insertApiUsageLogs(createContext(runtime(), systemActor), rows),
    log,
    flushMs,
  );
}

/** Logs a call by the acting user (anonymous requests are not logged); never waits. */
export function recordApiCall(ctx: Ctx, call: ApiCall): void {
  if (ctx.actor.kind !== 'user' || !ctx.config.apiLogs.enabled) return;
  const now = ctx.clock.now();
  ctx.runtime.apiCalls.record({
    id: uuidv7(now),
    tenant_id: ctx.actor.tenantId,
    user_id: ctx.actor.userId,
    surface: call.surface,
    endpoint: call.endpoint,
    method: call.method,
    status_code: call.statusCode,
    response_time_ms: Math.round(call.responseTimeMs * 100) / 100,
    created_at: now,
  });
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
  // Calls still waiting in this process's buffer are the caller's most recent ones.
  await ctx.runtime.apiCalls.flush();
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
