/**
 * Prometheus metrics: request count and duration per route (request-series.ts), the
 * process metrics prom-client collects and the autoscaler's gauge. One set per app
 * instance, so tests can run several apps in one process.
 *
 * prom-client is loaded, and its process collectors started, on the first scrape: an
 * idle server that nobody scrapes does not hold it (issue 15; with openid-client and
 * tar-stream loaded on first use too, the idle heap after GC is 1.2 MB smaller). What the
 * collectors count from their start (GC pauses, event-loop delay) is thus counted from
 * the first scrape; Prometheus scrapes from the start, so only that first sample lacks it.
 */
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../core/context.ts';
import { RequestSeries } from './request-series.ts';
import { TrafficWindow } from './traffic.ts';

export interface HttpMetrics {
  requests: RequestSeries;
  /** Requests and 5xx answers over the last minute (AutoServe's /metrics/system). */
  traffic: TrafficWindow;
  /** Every metric in Prometheus' text format, with its content type. */
  scrape(): Promise<{ contentType: string; text: string }>;
}

export function createMetrics(runtime: Runtime): HttpMetrics {
  const requests = new RequestSeries();
  let registry: Promise<import('prom-client').Registry> | undefined;
  return {
    requests,
    traffic: new TrafficWindow(),
    async scrape() {
      registry ??= processRegistry(runtime);
      const loaded = await registry;
      const processMetrics = await loaded.metrics();
      return {
        contentType: loaded.contentType,
        text: `${processMetrics}\n${requests.exposition()}`,
      };
    },
  };
}

async function processRegistry(runtime: Runtime): Promise<import('prom-client').Registry> {
  const { Registry, collectDefaultMetrics } = await import('prom-client');
  const { registerAutoscaleMetrics } = await import('./autoscale-metrics.ts');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tasklane_' });
  registerAutoscaleMetrics(registry, runtime);
  return registry;
}

/** Records every response under its route pattern (never the raw URL, which would explode cardinality). */
export function installMetricsHook(app: FastifyInstance, metrics: HttpMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const statusCode = reply.statusCode;
    metrics.requests.record(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      statusCode,
      reply.elapsedTime / 1000,
    );
    metrics.traffic.record(statusCode);
    done();
  });
}
