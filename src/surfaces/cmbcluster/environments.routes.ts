/**
 * CMBCluster's /environments: create, the active one, list, info, delete, heartbeat, and
 * the proxy to a running environment at /environments/{env_id}/… (owner only).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  connectToEnvironment,
  createEnvironment,
  deleteEnvironment,
  getActiveEnvironment,
  getEnvironmentInfo,
  heartbeat,
  listMyEnvironments,
} from '../../core/environments/environments.service.ts';
import { ctxOf, publicBaseUrl } from '../../http/context.ts';
import { proxyThrough, spliceUpgrade } from '../../http/proxy.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { PROXY_LIMITS } from './limits.ts';
import { envelope, message, presentEnvironment, presentEnvironmentInfo } from './presenters.ts';
import {
  ActiveEnvironmentResponse,
  CreatedEnvironmentResponse,
  CreateEnvironmentBody,
  DeleteEnvironmentQuery,
  EnvIdParams,
  EnvironmentInfoResponse,
  EnvironmentListResponse,
  ErrorSchema,
  MessageSchema,
} from './schemas.ts';

/**
 * What the environment's pages may do in a browser: they come from the user's own
 * program but are served from the API's origin, so they get an opaque origin (no
 * same-origin access to the API, no session cookie on their requests).
 */
const ENVIRONMENT_CSP =
  'sandbox allow-scripts allow-forms allow-popups allow-downloads allow-modals';

const TAGS = ['Environments'];

export async function environmentRoutes(app: SurfaceApp): Promise<void> {
  const surfaceUrl = (request: FastifyRequest) => `${publicBaseUrl(request)}${app.prefix}`;

  app.post(
    '/environments',
    {
      schema: {
        tags: TAGS,
        summary: 'Start a new environment from an image (mapped to a configured profile)',
        body: CreateEnvironmentBody,
        response: {
          201: CreatedEnvironmentResponse,
          400: ErrorSchema,
          401: ErrorSchema,
          429: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const environment = await createEnvironment(ctxOf(request), {
        image: request.body.image,
        applicationId: request.body.application_id,
        name: request.body.config?.name,
        description: request.body.config?.description,
      });
      return reply
        .code(201)
        .send(envelope(presentEnvironment(environment, surfaceUrl(request)), 'created'));
    },
  );

  app.get(
    '/environments',
    {
      schema: {
        tags: TAGS,
        summary: 'Your active environment (the latest starting or running one)',
        response: { 200: ActiveEnvironmentResponse, 401: ErrorSchema },
      },
    },
    async (request) => {
      const environment = await getActiveEnvironment(ctxOf(request));
      return envelope({
        active: environment !== null,
        environment: environment && presentEnvironment(environment, surfaceUrl(request)),
      });
    },
  );

  app.get(
    '/environments/list',
    {
      schema: {
        tags: TAGS,
        summary: 'All your environments, newest first',
        response: { 200: EnvironmentListResponse, 401: ErrorSchema },
      },
    },
    async (request) =>
      envelope({
        environments: (await listMyEnvironments(ctxOf(request))).map((e) =>
          presentEnvironment(e, surfaceUrl(request)),
        ),
      }),
  );

  app.get(
    '/environments/:env_id/info',
    {
      schema: {
        tags: TAGS,
        summary: 'An environment with its uptime and the time left before auto-shutdown',
        params: EnvIdParams,
        response: {
          200: EnvironmentInfoResponse,
          400: ErrorSchema,
          401: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (request) =>
      envelope(
        presentEnvironmentInfo(
          await getEnvironmentInfo(ctxOf(request), request.params.env_id),
          surfaceUrl(request),
        ),
      ),
  );

  app.delete(
    '/environments',
    {
      schema: {
        tags: TAGS,
        summary:
          'Stop an environment (the latest active one when env_id is absent); the workspace stays',
        querystring: DeleteEnvironmentQuery,
        response: {
          200: MessageSchema('deleted'),
          400: ErrorSchema,
          401: ErrorSchema,
          404: ErrorSchema,
        },
      },
    },
    async (request) => {
      await deleteEnvironment(ctxOf(request), request.query.env_id);
      return message('Environment deleted successfully', 'deleted');
    },
  );

  app.post(
    '/environments/heartbeat',
    {
      schema: {
        tags: TAGS,
        summary: 'Keep your environments from being stopped as idle',
        response: { 200: MessageSchema(), 401: ErrorSchema },
      },
    },
    async (request) => {
      await heartbeat(ctxOf(request));
      return message('Heartbeat received');
    },
  );

  // The proxy: bodies pass through untouched, whatever their type.
  await app.register(async (proxy) => {
    proxy.removeAllContentTypeParsers();
    proxy.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    // An upgrade refused with an HTTP answer (401, 404…): that connection is done.
    proxy.addHook('onResponse', async (request) => {
      if (request.headers.upgrade) request.raw.socket?.destroySoon();
    });
    const forward = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as { env_id: string; '*'?: string };
      const socket = await connectToEnvironment(ctxOf(request), params.env_id);
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const target = {
        path: `/${params['*'] ?? ''}${query}`,
        hideCookie: request.server.runtime.config.auth.sessionCookieName,
      };
      // A WebSocket (any upgrade): the two connections are spliced once authorised.
      if (request.headers.upgrade) {
        spliceUpgrade(request, reply, socket, target);
        return reply;
      }
      await proxyThrough(request, reply, socket, {
        ...target,
        responseHeaders: { 'content-security-policy': ENVIRONMENT_CSP },
      });
      return reply;
    };
    // @fastify/websocket, registered once for the whole app, wraps every route's handler
    // so that an upgrade reaches WebSocket routes only; the proxy hands upgrades to the
    // environment itself, so its routes get their own handler back (this scope's
    // onRoute hook runs after the app's).
    proxy.addHook('onRoute', (route) => {
      route.handler = forward;
    });
    const options = {
      config: { rateLimits: PROXY_LIMITS },
      schema: { tags: TAGS, summary: 'Your running environment, proxied (owner only)', hide: true },
    };
    proxy.all('/environments/:env_id', options, forward);
    proxy.all('/environments/:env_id/*', options, forward);
  });
}
