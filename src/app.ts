/**
 * buildApp(runtime): wires the HTTP server — shared plumbing, the system routes, and
 * every enabled surface at its mount.
 */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import websocket from '@fastify/websocket';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
  type RouteOptions,
} from 'fastify';
import './http/fastify-types.ts';
import { DomainError } from './core/errors.ts';
import { installAccessLog, lazyChildLogger } from './http/access-log.ts';
import { clientErrorHandler } from './http/client-errors.ts';
import { consoleRoutes } from './http/console.routes.ts';
import { downloadRoutes } from './http/downloads.routes.ts';
import { installJsonParser } from './http/json-body.ts';
import { createMetrics, type HttpMetrics, installMetricsHook } from './http/metrics.ts';
import { RateLimiter } from './http/rate-limit.ts';
import { installSecurityHeaders, SECURITY_HEADERS } from './http/security-headers.ts';
import {
  limitUnrouted,
  type MountedSurface,
  mountSurface,
  ownerOfPath,
  type SurfaceDefinition,
  sendError,
} from './http/surface.ts';
import { systemRoutes } from './http/system.routes.ts';
import { validatorCompiler } from './http/validation.ts';
import type { AppRuntime } from './runtime.ts';
import { autoserveSurface } from './surfaces/autoserve/index.ts';
import { cmbClusterSurface } from './surfaces/cmbcluster/index.ts';
import { codeepSurface } from './surfaces/codeep/index.ts';
import { codeGuideSurface } from './surfaces/codeguide/index.ts';
import { taskAssistantSurface } from './surfaces/taskassistant/index.ts';
import { VERSION } from './version.ts';

/** Every surface Tasklane has, in the order they claim a shared prefix's 404s. */
const SURFACES: SurfaceDefinition[] = [
  codeepSurface,
  taskAssistantSurface,
  autoserveSurface,
  cmbClusterSurface,
  codeGuideSurface,
];

/** The largest WebSocket message any surface accepts (Task Assistant's chat and agent runs). */
const WS_MAX_MESSAGE = 256 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface BuiltApp {
  app: FastifyInstance;
  surfaces: MountedSurface[];
  metrics: HttpMetrics;
  /** Every registered route (method, url, schema…), for tooling and tests. */
  routes: RouteOptions[];
}

export async function buildApp(runtime: AppRuntime): Promise<BuiltApp> {
  const { config } = runtime;
  const mounted: MountedSurface[] = [];
  // Errors raised before routing are rendered by the surface owning the path; paths
  // outside every surface (/health, /metrics…) by AutoServe, the spec that owns the root.
  const ownerOf = (url: string) => ownerOfPath(url, mounted) ?? autoserveSurface;
  const app = Fastify({
    loggerInstance: runtime.log as FastifyBaseLogger,
    // One access line per response (access-log.ts) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
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
    // A URL Fastify cannot decode (bad percent-encoding), a path segment past
    // maxParamLength (414).
    // No hook runs for these, so the headers every response carries are set here.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
      sendError(ownerOf(request.url), error, request, reply);
    },
    // What Node's parser refuses first: oversized request lines or headers, garbage.
    clientErrorHandler: clientErrorHandler(ownerOf, runtime.log as FastifyBaseLogger),
  });
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    routes.push(route);
  });
  app.setValidatorCompiler(validatorCompiler);
  app.decorate('runtime', runtime);
  app.decorateRequest('actor', null as never);

  installJsonParser(app, config.http.jsonMaxDepth);
  // Errors outside every route (a bad body sent to an unknown path) are the path owner's
  // too; each surface's scope sets its own handler.
  app.setErrorHandler((error, request, reply) =>
    sendError(ownerOf(request.url), error, request, reply),
  );

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

  const metrics = createMetrics(runtime);
  installMetricsHook(app, metrics);
  installAccessLog(app, runtime.log);
  app.decorate('httpTraffic', metrics.traffic);
  const limiter = config.http.rateLimit
    ? new RateLimiter(
        runtime.redis,
        config.redisPrefix,
        () => runtime.clock.now(),
        config.http.rateLimitScale,
      )
    : undefined;
  app.decorate('rateLimiter', limiter);

  // Registered once for every surface (it listens to the server's upgrade event; a
  // second registration would route each upgrade twice).
  await app.register(websocket, { options: { maxPayload: WS_MAX_MESSAGE } });

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
    await consoleRoutes(scope, {
      console: config.console,
      surfaces: mounted.map((s) => ({
        name: s.definition.name,
        mount: config.surfaces[s.definition.name].mount,
      })),
      oidc:
        mounted.some((s) => s.definition.name === 'cmbcluster') &&
        Boolean(config.cmbcluster.oidc.clientId),
    });
  });

  // A 404 is rendered by the surface that owns the longest matching prefix.
  app.setNotFoundHandler(async (request, reply) => {
    const owner = ownerOf(request.url);
    try {
      await limitUnrouted(runtime, owner, limiter, request, reply);
    } catch (error) {
      return sendError(owner, error, request, reply);
    }
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

  return { app, surfaces: mounted, metrics, routes };
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
