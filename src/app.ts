/**
 * buildApp(runtime): wires the HTTP server — shared plumbing, the system routes, and
 * every enabled surface at its mount.
 */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import './http/fastify-types.ts';
import { DomainError } from './core/errors.ts';
import { downloadRoutes } from './http/downloads.routes.ts';
import { createMetrics, type HttpMetrics, installMetricsHook } from './http/metrics.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { installSecurityHeaders } from './http/security-headers.ts';
import {
  type MountedSurface,
  mountSurface,
  type SurfaceDefinition,
  sendError,
} from './http/surface.ts';
import { systemRoutes } from './http/system.routes.ts';
import { validatorCompiler } from './http/validation.ts';
import type { AppRuntime } from './runtime.ts';
import { autoserveSurface } from './surfaces/autoserve/index.ts';
import { codeepSurface } from './surfaces/codeep/index.ts';
import { taskAssistantSurface } from './surfaces/taskassistant/index.ts';
import { VERSION } from './version.ts';

/** Every surface Tasklane has, in the order they claim a shared prefix's 404s. */
const SURFACES: SurfaceDefinition[] = [codeepSurface, taskAssistantSurface, autoserveSurface];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface BuiltApp {
  app: FastifyInstance;
  surfaces: MountedSurface[];
  metrics: HttpMetrics;
}

export async function buildApp(runtime: AppRuntime): Promise<BuiltApp> {
  const { config } = runtime;
  const app = Fastify({
    loggerInstance: runtime.log as FastifyBaseLogger,
    bodyLimit: config.http.bodyLimit,
    trustProxy: config.http.trustProxy,
    // A client's X-Request-Id is kept when it is a sane token, otherwise we mint one.
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: 'array' } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.decorate('runtime', runtime);
  app.decorateRequest('actor', null as never);

  // An empty body sent with Content-Type: application/json (common for POSTs without a
  // payload) is treated as no body, not as malformed JSON.
  // JSON APIs: text/plain is not accepted as a body (415), rather than parsed as a string.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(cookie);
  installSecurityHeaders(app);
  if (config.http.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.http.corsOrigins.includes('*') ? true : config.http.corsOrigins,
      credentials: true,
      exposedHeaders: [
        'x-request-id',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
        'retry-after',
      ],
    });
  }

  const metrics = createMetrics();
  installMetricsHook(app, metrics);
  const limiter = config.http.rateLimit
    ? new RateLimiter(runtime.redis, config.redisPrefix, () => runtime.clock.now())
    : undefined;

  const mounted: MountedSurface[] = [];
  for (const definition of SURFACES) {
    const surfaceConfig = config.surfaces[definition.name];
    if (!surfaceConfig.enabled) continue;
    mounted.push(await mountSurface(app, definition, surfaceConfig.mount, limiter));
  }

  // Routes outside any surface (health, info, metrics, docs) answer errors in AutoServe's
  // shape: it is the spec that owns the root.
  await app.register(async (scope) => {
    scope.setErrorHandler((error, request, reply) =>
      sendError(autoserveSurface, error, request, reply),
    );
    await systemRoutes(scope, runtime, metrics);
    await downloadRoutes(scope);
    await openApiRoutes(scope, mounted);
  });

  // A 404 is rendered by the surface that owns the longest matching prefix.
  app.setNotFoundHandler((request, reply) => {
    const owner = ownerOf(request, mounted) ?? autoserveSurface;
    return sendError(
      owner,
      new DomainError(
        'not_found',
        `Route ${request.method} ${request.url.split('?')[0]} not found`,
      ),
      request,
      reply,
    );
  });

  return { app, surfaces: mounted, metrics };
}

function ownerOf(
  request: FastifyRequest,
  mounted: MountedSurface[],
): SurfaceDefinition | undefined {
  const path = request.url.split('?')[0] ?? '';
  let best: MountedSurface | undefined;
  for (const surface of mounted) {
    const prefix = surface.prefix;
    const matches = prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
    if (matches && (!best || prefix.length > best.prefix.length)) best = surface;
  }
  return best?.definition;
}

/** /openapi/<surface>.json for each surface, and the interactive reference at /docs. */
async function openApiRoutes(app: FastifyInstance, mounted: MountedSurface[]) {
  for (const surface of mounted) {
    app.get(
      `/openapi/${surface.definition.name}.json`,
      { config: { auth: 'none' }, schema: { hide: true } },
      async () => surface.openapi(),
    );
  }
  await app.register(async (docs) => {
    await docs.register(swagger, {
      mode: 'static',
      specification: {
        document: {
          openapi: '3.1.0',
          info: {
            title: 'Tasklane',
            version: VERSION,
            description: 'Pick a surface in the top bar.',
          },
          paths: {},
        },
      },
    });
    await docs.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: {
        urls: mounted.map((s) => ({
          url: `/openapi/${s.definition.name}.json`,
          name: s.definition.title,
        })),
        'urls.primaryName': mounted[0]?.definition.title,
        deepLinking: true,
        tryItOutEnabled: true,
      } as never,
    });
  });
}
