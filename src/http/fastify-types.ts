/** Fastify type augmentation: what Tasklane hangs on the instance, requests and route config. */
import type { Actor, Runtime } from '../core/context.ts';
import type { RateLimitRule } from './rate-limit.ts';

export type AuthMode = 'required' | 'optional' | 'none';

declare module 'fastify' {
  interface FastifyInstance {
    runtime: Runtime;
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
