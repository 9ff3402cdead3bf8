/**
 * CodeGuide's API usage log: `GET /api-usage-logs` lists the caller's own entries. Every
 * authenticated request on every surface is recorded (http/surface.ts, logApiCalls).
 */

import { Type } from 'typebox';
import { listApiUsageLogs } from '../../core/api-logs/api-usage-logs.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { endOfDay, startOfDay } from './dates.ts';
import { success } from './presenters.ts';
import { ErrorSchema, Success } from './schemas.ts';
import { presentApiUsageLog } from './usage-presenters.ts';
import { ApiUsageLogSchema, ApiUsageLogsQuery } from './usage-schemas.ts';

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
