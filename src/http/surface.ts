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
import { recordApiCall } from '../core/api-logs/api-usage-logs.service.ts';
import { anonymousActor, type Runtime } from '../core/context.ts';
import type { DomainError } from '../core/errors.ts';
import { authHook, readCredentials, resolveActor } from './auth.ts';
import { ctxOf } from './context.ts';
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

/** What an error renderer may read from the request (a client error has no FastifyRequest). */
export type RequestInfo = Pick<FastifyRequest, 'id'>;

export interface SurfaceDefinition {
  name: SurfaceName;
  title: string;
  description: string;
  version: string;
  /** Path under the mount where the spec's paths start (Task Assistant: '/api/v1'). */
  basePath?: string;
  /** The spec's error body for a core error. */
  renderError(error: DomainError, request: RequestInfo): RenderedError;
  /**
   * Path prefixes (under the mount) this surface owns, for a surface that shares its
   * mount with another (CodeGuide beside Codeep at /v1): errors raised before routing
   * under them (404s…) are rendered in this surface's shape. Unset: the whole mount.
   */
  ownedPaths?: string[];
  /** Applied to every route that does not declare its own `config.rateLimits`. */
  defaultRateLimits: RateLimitRule[];
  routes(app: SurfaceApp): Promise<void>;
  /**
   * OpenAPI path items the surface's document also lists though its routes do not
   * declare them (platform routes its spec documents, a WebSocket), or fields added to
   * a generated operation (a multipart request body): merged per path and method.
   */
  documentPaths?: Record<string, unknown>;
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

/**
 * The surface that owns a path: the longest mount prefix it falls under (undefined when
 * none does). Errors raised before routing (404s, malformed URLs, oversized requests)
 * are rendered in this surface's shape.
 */
export function ownerOfPath(
  url: string,
  mounted: readonly MountedSurface[],
): SurfaceDefinition | undefined {
  const path = url.split('?')[0] ?? '';
  const under = (prefix: string) =>
    prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
  let best: MountedSurface | undefined;
  let bestLength = -1;
  for (const surface of mounted) {
    const owned = surface.definition.ownedPaths?.map((p) => `${surface.prefix}${p}`) ?? [
      surface.prefix,
    ];
    for (const prefix of owned) {
      if (under(prefix) && prefix.length > bestLength) {
        best = surface;
        bestLength = prefix.length;
      }
    }
  }
  return best?.definition;
}

type PathItems = Record<string, unknown>;

/** Path items merged per path and, within one, per method (fields of an operation added). */
function mergePaths(generated: PathItems, extra: PathItems): PathItems {
  const merged: PathItems = { ...generated };
  for (const [path, item] of Object.entries(extra)) {
    const base = (merged[path] ?? {}) as Record<string, unknown>;
    const next: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(item as Record<string, unknown>)) {
      const current = base[key];
      next[key] =
        current && typeof current === 'object' && !Array.isArray(current)
          ? { ...current, ...(value as object) }
          : value;
    }
    merged[path] = next;
  }
  return merged;
}

/** Counts a request against rules and sets its headers; a store outage lets it through. */
export async function applyRateLimits(
  limiter: RateLimiter,
  request: FastifyRequest,
  reply: FastifyReply,
  rules: readonly RateLimitRule[],
): Promise<void> {
  try {
    await limiter.check(request, reply, rules);
  } catch (error) {
    if ((error as DomainError).code === 'rate_limited') throw error;
    // A rate-limit store that is down must not take the API down with it.
    request.log.warn({ err: error }, 'rate limiter unavailable; request allowed');
  }
}

/**
 * A request no route matched (a 404) is counted against its owning surface's default
 * limits, as whoever its credentials name (anonymous when they name no one), so the
 * 404 carries the same X-RateLimit-* headers as any other response.
 */
export async function limitUnrouted(
  runtime: Runtime,
  definition: SurfaceDefinition,
  limiter: RateLimiter | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  if (!limiter) return;
  request.actor = anonymousActor(request.ip);
  const credentials = readCredentials(request, runtime.config.auth.sessionCookieName);
  if (credentials.kind !== 'none') {
    request.actor = await resolveActor(runtime, request, credentials).catch(() => request.actor);
  }
  await applyRateLimits(limiter, request, reply, definition.defaultRateLimits);
}

/**
 * Every authenticated request is recorded in the API usage log under its route pattern
 * (never the concrete path, so ids stay out of it), after the response has gone out.
 */
function logApiCalls(scope: FastifyInstance, surface: string): void {
  if (!scope.runtime.config.apiLogs.enabled) return;
  scope.addHook('onResponse', (request, reply, done) => {
    if (request.actor?.kind === 'user') {
      recordApiCall(ctxOf(request), {
        surface,
        endpoint: request.routeOptions.url ?? request.url.split('?')[0]!,
        method: request.method,
        statusCode: reply.statusCode,
        responseTimeMs: reply.elapsedTime,
      });
    }
    done();
  });
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
      const authenticate = authHook(app.runtime);
      const limit = async (request: FastifyRequest, reply: FastifyReply) => {
        if (!limiter) return;
        const rules = request.routeOptions.config.rateLimits ?? definition.defaultRateLimits;
        await applyRateLimits(limiter, request, reply, rules);
      };
      scope.addHook('onRequest', async (request, reply) => {
        try {
          await authenticate(request, reply);
        } catch (error) {
          // A refused credential is still a request: it is counted (as anonymous, by IP)
          // and its 401 carries the X-RateLimit-* headers like every other response.
          await limit(request, reply);
          throw error;
        }
      });
      scope.addHook('onRequest', limit);
      logApiCalls(scope, definition.name);
      await definition.routes(scope.withTypeProvider<TypeBoxTypeProvider>());
      document = () => {
        const generated = scope.swagger() as { paths?: Record<string, unknown> };
        if (!definition.documentPaths) return generated;
        return { ...generated, paths: mergePaths(generated.paths ?? {}, definition.documentPaths) };
      };
    },
    { prefix },
  );
  return { definition, prefix, openapi: () => document() };
}
