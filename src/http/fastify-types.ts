/** Fastify type augmentation: what Tasklane hangs on the instance, requests and route config. */
import type { Actor, Runtime } from '../core/context.ts';
import type { RateLimiter, RateLimitRule } from './rate-limit.ts';
import type { TrafficWindow } from './traffic.ts';

export type AuthMode = 'required' | 'optional' | 'none';

declare module 'fastify' {
  interface FastifyInstance {
    runtime: Runtime;
    /** The rate limiter (undefined with TASKLANE_RATE_LIMIT=false), for work outside HTTP requests. */
    rateLimiter: RateLimiter | undefined;
    /** The server's own request counters over the last minute. */
    httpTraffic: TrafficWindow;
  }
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyContextConfig {
    /** required (default): 401 without valid credentials; optional: anonymous allowed; none: not even looked at. */
    auth?: AuthMode;
    /** Rate-limit rules for this route; replaces the surface's defaults when given. */
    rateLimits?: RateLimitRule[];
  }
}
