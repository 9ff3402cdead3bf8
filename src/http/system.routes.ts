/**
 * Routes that belong to the platform rather than a spec: /health (the union of
 * AutoServe's and CMBCluster's fields, with real dependency checks), /info, /metrics
 * (as TASKLANE_METRICS_ACCESS allows) and the root document.
 */
import type { FastifyInstance } from 'fastify';
import { featureStatus } from '../core/execution/availability.ts';
import type { AppRuntime } from '../runtime.ts';
import { SERVICE_NAME, VERSION } from '../version.ts';
import { wantsHtml } from './console.routes.ts';
import type { HttpMetrics } from './metrics.ts';
import { metricsAccessHook } from './metrics-access.ts';

type DependencyState = 'healthy' | 'unhealthy' | 'not_configured';

const CHECK_TIMEOUT_MS = 2000;
const startedAt = Date.now();

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Checks each dependency for real: a query on the database, a PING on Redis. */
export async function checkHealth(runtime: AppRuntime) {
  const database: DependencyState = await withTimeout(runtime.database.ping())
    .then(() => 'healthy' as const)
    .catch(() => 'unhealthy' as const);
  const redis: DependencyState = runtime.redis
    ? await withTimeout(runtime.redis.ping())
        .then(() => 'healthy' as const)
        .catch(() => 'unhealthy' as const)
    : 'not_configured';
  const healthy = database === 'healthy' && redis !== 'unhealthy';
  return {
    healthy,
    body: {
      status: healthy ? 'healthy' : 'unhealthy',
      timestamp: new Date(runtime.clock.now()).toISOString(),
      version: VERSION,
      uptime: Math.round((Date.now() - startedAt) / 10) / 100,
      dependencies: { database, redis },
      features: features(runtime),
    },
  };
}

export function serviceInfo(runtime: AppRuntime) {
  return {
    name: SERVICE_NAME,
    version: VERSION,
    description: 'Tasklane: AI-agent and code tasks in sandboxes, behind five compatible APIs',
    environment: runtime.config.env,
    features: features(runtime),
  };
}

/** What tasks can do here (beyond the specs' fields): a missing package shows up as a reason. */
function features(runtime: AppRuntime) {
  return featureStatus(runtime.sandbox, runtime.config.ai.tools.chromiumPath);
}

export async function systemRoutes(
  app: FastifyInstance,
  runtime: AppRuntime,
  metrics: HttpMetrics,
) {
  app.get('/health', { config: { auth: 'none' } }, async (_request, reply) => {
    const { healthy, body } = await checkHealth(runtime);
    return reply.code(healthy ? 200 : 503).send(body);
  });

  app.get('/info', { config: { auth: 'none' } }, async () => serviceInfo(runtime));

  app.get(
    '/metrics',
    { config: { auth: 'none' }, onRequest: metricsAccessHook(runtime.config.metrics) },
    async (_request, reply) => {
      const { contentType, text } = await metrics.scrape();
      return reply.type(contentType).send(text);
    },
  );

  // A browser opening the server lands in the console; API clients keep the JSON.
  const consoleMount = runtime.config.console.mount;
  app.get('/', { config: { auth: 'none' } }, async (request, reply) => {
    reply.header('vary', 'Accept');
    if (consoleMount && wantsHtml(request.headers.accept)) {
      return reply.redirect(`${consoleMount}/`, 302);
    }
    return { service: 'Tasklane', version: VERSION, status: 'healthy', docs: '/docs' };
  });
}
