/**
 * Who may scrape GET /metrics (TASKLANE_METRICS_ACCESS, TASKLANE_METRICS_TOKEN). The
 * metrics name every route with its traffic and error counts and the process's memory
 * and event-loop figures: useful reconnaissance, so production keeps them private.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MetricsConfig } from '../config/metrics.ts';
import { DomainError } from '../core/errors.ts';
import { safeEqual } from '../core/shared/crypto.ts';
import { bearerToken } from './auth.ts';

/**
 * `request.ip` is the client as TASKLANE_TRUST_PROXY defines it: behind a reverse proxy
 * on this host, trust the proxy (or use the token), or every request looks local.
 */
export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

/** An onRequest hook: lets the request through or throws 401 (a token would do) / 403. */
export function metricsAccessHook(config: MetricsConfig) {
  return async function checkMetricsAccess(request: FastifyRequest, reply: FastifyReply) {
    if (config.access === 'public') return;
    const presented = bearerToken(request);
    if (config.token && presented && safeEqual(presented, config.token)) return;
    if (config.access === 'loopback' && isLoopback(request.ip)) return;
    if (config.token) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new DomainError(
        'unauthenticated',
        presented ? 'Invalid metrics token' : 'A metrics token is required',
      );
    }
    throw new DomainError('forbidden', 'Metrics are only served to clients on this machine');
  };
}
