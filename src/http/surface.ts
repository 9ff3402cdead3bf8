/**
 * How a surface plugs in: an encapsulated Fastify plugin at its mount with its own
 * error renderer (the spec's error body), its own OpenAPI document, the shared auth
 * hook and its rate limits. Surfaces hold no business logic.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { SurfaceName } from '../config.ts';
import type { DomainError } from '../core/errors.ts';
import { authHook } from './auth.ts';
import { normaliseError } from './errors.ts';
import type { RateLimiter, RateLimitRule } from './rate-limit.ts';

/** A Fastify instance whose route schemas are TypeBox (typed request/reply). */
export type SurfaceApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RenderedError {
  status: number;
  body: unknown;
}

export interface SurfaceDefinition {
  name: SurfaceName;
  title: string;
  description: string;
  version: string;
  /** Path under the mount where the spec's paths start (Task Assistant: '/api/v1'). */
  basePath?: string;
  /** The spec's error body for a core error. */
  renderError(error: DomainError, request: FastifyRequest): RenderedError;
  /** Applied to every route that does not declare its own `config.rateLimits`. */
  defaultRateLimits: RateLimitRule[];
  routes(app: SurfaceApp): Promise<void>;
}

export interface MountedSurface {
  definition: SurfaceDefinition;
  prefix: string;
  /** The surface's OpenAPI 3.1 document (available after app.ready()). */
  openapi(): unknown;
}

/** Sends any error in the surface's shape; unexpected ones are logged with the request id. */
export function sendError(
  definition: SurfaceDefinition,
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const domainError = normaliseError(error);
  if (domainError.code === 'internal') {
    request.log.error({ err: error }, 'unhandled error');
  }
  const { status, body } = definition.renderError(domainError, request);
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

export async function mountSurface(
  app: FastifyInstance,
  definition: SurfaceDefinition,
  mount: string,
  limiter: RateLimiter | undefined,
): Promise<MountedSurface> {
  const prefix = `${mount}${definition.basePath ?? ''}`;
  let document: () => unknown = () => ({});
  await app.register(
    async (scope) => {
      await scope.register(swagger, {
        openapi: {
          openapi: '3.1.0',
          info: {
            title: definition.title,
            description: definition.description,
            version: definition.version,
          },
          servers: [{ url: prefix || '/' }],
          components: {
            securitySchemes: {
              bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
              apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
              session: {
                type: 'apiKey',
                in: 'cookie',
                name: app.runtime.config.auth.sessionCookieName,
              },
            },
          },
          security: [{ bearerAuth: [] }, { apiKey: [] }],
        },
        // Paths in the document are relative to the server URL above.
        transform: ({ schema, url }) => ({ schema, url: url.slice(prefix.length) || '/' }),
      });
      scope.setErrorHandler((error, request, reply) =>
        sendError(definition, error, request, reply),
      );
      scope.addHook('onRequest', authHook(app.runtime));
      if (limiter) {
        scope.addHook('onRequest', async (request, reply) => {
          const rules = request.routeOptions.config.rateLimits ?? definition.defaultRateLimits;
          try {
            await limiter.check(request, reply, rules);
          } catch (error) {
            if ((error as DomainError).code === 'rate_limited') throw error;
            // A rate-limit store that is down must not take the API down with it.
            request.log.warn({ err: error }, 'rate limiter unavailable; request allowed');
          }
        });
      }
      await definition.routes(scope.withTypeProvider<TypeBoxTypeProvider>());
      document = () => scope.swagger();
    },
    { prefix },
  );
  return { definition, prefix, openapi: () => document() };
}
