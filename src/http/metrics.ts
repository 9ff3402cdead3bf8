/**
 * Prometheus metrics: request count and duration per route, plus the process
 * metrics prom-client collects. One registry per app instance, so tests can run
 * several apps in one process.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { TrafficWindow } from './traffic.ts';

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status_code'>;
  duration: Histogram<'method' | 'route' | 'status_code'>;
  /** Requests and 5xx answers over the last minute (AutoServe's /metrics/system). */
  traffic: TrafficWindow;
}

export function createMetrics(): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tasklane_' });
  const labelNames = ['method', 'route', 'status_code'] as const;
  return {
    registry,
    requests: new Counter({
      name: 'tasklane_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'tasklane_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    traffic: new TrafficWindow(),
  };
}

/** Records every response under its route pattern (never the raw URL, which would explode cardinality). */
export function installMetricsHook(app: FastifyInstance, metrics: HttpMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
    metrics.traffic.record(reply.statusCode);
    done();
  });
}
