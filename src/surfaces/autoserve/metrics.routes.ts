/** AutoServe metrics: /metrics/system (this host and server) and /metrics/tasks (the queue). */
import { hostMetrics } from '../../core/system/host-metrics.ts';
import { taskMetrics } from '../../core/tasks/task-metrics.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentTaskMetrics } from './presenters.ts';
import { ErrorSchema, SystemMetricsSchema, TaskMetricsSchema } from './schemas.ts';
import { systemMetricsOf } from './system-metrics.ts';

const tags = ['Metrics'];
const errors = { 401: ErrorSchema, 429: ErrorSchema };

export async function metricsRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/metrics/system',
    {
      schema: {
        tags,
        summary:
          'CPU, memory and disk (of the data directory) in percent, network bytes, open connections, requests/s and 5xx percent over the last minute',
        response: { 200: SystemMetricsSchema, ...errors },
      },
    },
    async (request) => systemMetricsOf(request, await hostMetrics(ctxOf(request))),
  );

  app.get(
    '/metrics/tasks',
    {
      schema: {
        tags,
        summary:
          "Task totals by status, mean processing time (s), queue depth, worker slots, throughput (tasks/min): the caller's tasks, every task for an admin",
        response: { 200: TaskMetricsSchema, ...errors },
      },
    },
    async (request) => presentTaskMetrics(await taskMetrics(ctxOf(request))),
  );
}
