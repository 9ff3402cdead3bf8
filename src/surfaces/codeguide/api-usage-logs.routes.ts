/**
 * CodeGuide's API usage log: every authenticated CodeGuide request is recorded by an
 * onResponse hook (after the response is sent, so the caller never waits for it), and
 * `GET /api-usage-logs` lists the caller's own entries.
 */

import { Type } from 'typebox';
import { listApiUsageLogs, recordApiCall } from '../../core/api-logs/api-usage-logs.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { endOfDay, startOfDay } from './dates.ts';
import { success } from './presenters.ts';
import { ErrorSchema, Success } from './schemas.ts';
import { presentApiUsageLog } from './usage-presenters.ts';
import { ApiUsageLogSchema, ApiUsageLogsQuery } from './usage-schemas.ts';

/** Records each authenticated request under its route pattern (ids never land in the log). */
export function logApiUsage(app: SurfaceApp, surface: string): void {
  app.addHook('onResponse', async (request, reply) => {
    if (request.actor?.kind !== 'user') return;
    try {
      await recordApiCall(ctxOf(request), {
        surface,
        endpoint: request.routeOptions.url ?? request.url.split('?')[0]!,
        method: request.method,
        statusCode: reply.statusCode,
        responseTimeMs: reply.elapsedTime,
      });
    } catch (error) {
      request.log.warn({ err: error }, 'could not record the API call');
    }
  });
}

export async function apiUsageLogRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/api-usage-logs',
    {
      schema: {
        tags: ['API usage logs'],
        summary: "The caller's API requests, newest first",
        querystring: ApiUsageLogsQuery,
        response: {
          200: Success(Type.Array(ApiUsageLogSchema)),
          401: ErrorSchema,
          422: ErrorSchema,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const logs = await listApiUsageLogs(ctxOf(request), {
        from: startOfDay(q.start_date, 'start_date'),
        to: endOfDay(q.end_date, 'end_date'),
        endpoint: q.endpoint,
        method: q.method,
        limit: q.limit ?? 100,
      });
      return success(logs.map(presentApiUsageLog));
    },
  );
}
