/** Builds the core context for a request: the resolved actor, the request's logger. */
import type { FastifyRequest } from 'fastify';
import { type Ctx, createContext } from '../core/context.ts';

export function ctxOf(request: FastifyRequest): Ctx {
  return createContext(request.server.runtime, request.actor, request.log);
}
