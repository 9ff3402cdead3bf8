/**
 * AutoServe's WebSocket, /ws/events?token=<jwt>. The token (an access token or API key)
 * is checked as `Authorization: Bearer` would be; a missing or bad one closes the socket
 * with 4401 and a reason. Then the server pushes, in the spec's shapes:
 * - `task_status` for every status change and progress step of the user's own tasks;
 * - `system_metrics` at once and every TASKLANE_WS_METRICS_INTERVAL_MS;
 * - `scaling_event` for each scaling decision the autoscaler records (`autoscale.scaled`).
 * Events come through the core's event hub, so they cross processes (PostgreSQL
 * NOTIFY or Redis). The credential is re-checked like Task Assistant's sockets do; once
 * it stops holding (logout, expiry) the socket closes with 4401.
 */
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { SCALING_EVENT_TYPE } from '../../core/autoscale/autoscale.types.ts';
import { type Ctx, createContext, type UserActor } from '../../core/context.ts';
import type { StoredEvent } from '../../core/events/events.types.ts';
import { isoTime } from '../../core/shared/clock.ts';
import { RecentValues } from '../../core/shared/recent-values.ts';
import { hostMetrics } from '../../core/system/host-metrics.ts';
import type { TaskStatus } from '../../core/tasks/tasks.types.ts';
import { authenticateBearer } from '../../http/auth.ts';
import { eventBytes, TEXT_FRAME } from '../../http/event-bytes.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { holdSession, SESSION_ENDED } from '../../http/ws-session.ts';
import { toAutoServeStatus } from './statuses.ts';
import { systemMetricsOf } from './system-metrics.ts';

export async function wsRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/ws/events',
    {
      websocket: true,
      config: { auth: 'none', rateLimits: [] },
      schema: { hide: true },
    },
    (socket, request) => {
      const { token } = request.query as { token?: unknown };
      let stop = () => {};
      let closed = false;
      socket.on('close', () => {
        closed = true;
        stop();
      });
      authenticateBearer(request.server.runtime, request, token).then(
        (actor) => {
          if (!closed) stop = stream(socket, request, actor, token as string);
        },
        (error: Error) => {
          const reason =
            typeof token === 'string' && token
              ? 'Invalid or expired token'
              : 'token query parameter is required';
          request.log.info({ err: error }, 'websocket refused');
          socket.close(SESSION_ENDED, reason);
        },
      );
    },
  );
}

/** Pushes the user's events until the socket closes; returns the clean-up. */
function stream(socket: WebSocket, request: FastifyRequest, actor: UserActor, token: string) {
  const runtime = request.server.runtime;
  const sendJson = (json: Buffer) => {
    if (socket.readyState === socket.OPEN) socket.send(json, TEXT_FRAME);
  };
  const session = holdSession(runtime, request, token, actor, () => {
    cleanUp();
    socket.close(SESSION_ENDED, 'Session ended');
  });
  const tasks = runtime.events.subscribe({ userId: actor.userId, types: ['task.'] }, (event) => {
    if (session.live()) sendJson(eventBytes(event, taskStatus));
  });
  const scaling = runtime.events.subscribe({ types: [SCALING_EVENT_TYPE] }, (event) => {
    if (session.live() && event.tenantId === null) sendJson(eventBytes(event, scalingEvent));
  });
  const ctx = createContext(runtime, actor, request.log);
  const pushMetrics = async () => {
    try {
      const json = await metricsJson(request, ctx);
      if (session.live()) sendJson(json);
    } catch (error) {
      request.log.warn({ err: error }, 'system metrics unavailable');
    }
  };
  void pushMetrics();
  const timer = setInterval(pushMetrics, runtime.config.autoserve.wsMetricsIntervalMs);
  timer.unref();
  function cleanUp() {
    clearInterval(timer);
    tasks();
    scaling();
    session.stop();
  }
  return cleanUp;
}

/**
 * The `system_metrics` message, read and serialized once per second per server and
 * shared by every socket whose timer fires in that second (sockets that connect
 * together tick together): a thousand sockets cost one reading and one JSON.
 */
const metricsMessages = new RecentValues<object, Buffer>(1000, 16);

function metricsJson(request: FastifyRequest, ctx: Ctx): Promise<Buffer> {
  return metricsMessages.get(request.server, async () => {
    const figures = await systemMetricsOf(request, await hostMetrics(ctx));
    return Buffer.from(
      JSON.stringify({
        type: 'system_metrics',
        data: {
          cpu_usage: figures.cpu_usage,
          memory_usage: figures.memory_usage,
          active_connections: figures.active_connections,
          timestamp: figures.timestamp,
        },
      }),
    );
  });
}

function taskStatus(event: StoredEvent) {
  const p = event.payload as { task_id?: string; status?: TaskStatus; progress?: number };
  return {
    type: 'task_status',
    data: {
      task_id: p.task_id ?? event.subjectId,
      status: p.status ? toAutoServeStatus(p.status) : 'pending',
      progress: typeof p.progress === 'number' ? p.progress : 0,
      timestamp: isoTime(event.createdAt),
    },
  };
}

function scalingEvent(event: StoredEvent) {
  const p = event.payload;
  return {
    type: 'scaling_event',
    data: {
      service: p.service,
      action: p.action,
      from_replicas: p.from_replicas,
      to_replicas: p.to_replicas,
      reason: p.reason,
      timestamp: typeof p.timestamp === 'string' ? p.timestamp : isoTime(event.createdAt),
    },
  };
}
