/** Builds the core context for a request: the resolved actor, the request's logger. */
import type { FastifyRequest } from 'fastify';
import { type Ctx, createContext } from '../core/context.ts';

export function ctxOf(request: FastifyRequest): Ctx {
  return createContext(request.server.runtime, request.actor, request.log);
}

/**
 * The base URL for links in responses (signed downloads): TASKLANE_PUBLIC_URL when set,
 * else the scheme and host the client used, so links work behind whatever address it
 * reached us on.
 */
export function publicBaseUrl(request: FastifyRequest): string {
  const config = request.server.runtime.config;
  if (config.publicUrlSet) return config.publicUrl;
  return `${request.protocol}://${request.host}`;
}
