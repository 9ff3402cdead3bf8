/**
 * What AutoServe's OpenAPI document lists besides its own routes: the platform routes
 * its spec documents (/health, /info, /metrics, served at the root whatever the mount,
 * hence their own `servers`) and the /ws/events WebSocket.
 */
const root = [{ url: '/' }];
const json = (schema: unknown, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const str = { type: 'string' };
const isoTime = { type: 'string', format: 'date-time' };
/** Beyond the spec: what tasks can do on this server (sandbox, browser), with reasons. */
const features = { type: 'object', additionalProperties: true };
const dependency = { type: 'string', enum: ['healthy', 'unhealthy', 'not_configured'] };

export const AUTOSERVE_DOCUMENT_PATHS: Record<string, unknown> = {
  '/health': {
    servers: root,
    get: {
      tags: ['Health and Status'],
      summary: 'Service health with real dependency checks (503 when a dependency is down)',
      security: [],
      responses: {
        200: json(
          {
            type: 'object',
            required: ['status', 'timestamp', 'version', 'dependencies'],
            properties: {
              status: { type: 'string', enum: ['healthy', 'unhealthy'] },
              timestamp: isoTime,
              version: str,
              uptime: { type: 'number' },
              dependencies: {
                type: 'object',
                properties: { database: dependency, redis: dependency },
              },
              features: features,
            },
          },
          'Healthy',
        ),
        503: { description: 'A configured dependency is down (same body, status unhealthy)' },
      },
    },
  },
  '/info': {
    servers: root,
    get: {
      tags: ['Health and Status'],
      summary: 'Service information',
      security: [],
      responses: {
        200: json(
          {
            type: 'object',
            required: ['name', 'version', 'description', 'environment'],
            properties: { name: str, version: str, description: str, environment: str, features },
          },
          'Service information',
        ),
      },
    },
  },
  '/metrics': {
    servers: root,
    get: {
      tags: ['Health and Status'],
      summary: 'Prometheus metrics (text format); access per TASKLANE_METRICS_ACCESS',
      security: [],
      responses: {
        200: { description: 'Prometheus text', content: { 'text/plain': { schema: str } } },
        401: { description: 'A metrics token is required' },
        403: { description: 'Not from this machine' },
      },
    },
  },
  // The route reads its multipart form itself; the document still shows the form.
  '/files/upload': {
    post: {
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file'],
              properties: {
                file: { type: 'string', format: 'binary' },
                description: { type: 'string', maxLength: 1000 },
              },
            },
          },
        },
      },
    },
  },
  '/ws/events': {
    get: {
      tags: ['WebSocket'],
      summary: 'WebSocket of live events: task_status, system_metrics, scaling_event',
      description:
        "Upgrade to a WebSocket with `?token=<jwt>` (or an API key). The server pushes JSON messages `{type, data}`: `task_status` `{task_id, status, progress, timestamp}` for the caller's own tasks; `system_metrics` `{cpu_usage, memory_usage, active_connections, timestamp}` on connect and every TASKLANE_WS_METRICS_INTERVAL_MS; `scaling_event` `{service, action, from_replicas, to_replicas, reason, timestamp}`. A missing, invalid or revoked token closes the socket with code 4401.",
      security: [],
      parameters: [
        { name: 'token', in: 'query', required: true, schema: str, description: 'Access token' },
      ],
      responses: {
        101: { description: 'Switching Protocols: the event stream' },
      },
    },
  },
};
