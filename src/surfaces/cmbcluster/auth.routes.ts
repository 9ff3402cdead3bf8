/**
 * CMBCluster sign-in: POST /auth/login (the provider URL), GET /auth/callback (sets the
 * session cookie and redirects to the dashboard), GET /auth/logout; and, beyond the
 * spec, POST /auth/session, which gives a caller signed in another way (a password
 * login's bearer token) the session cookie that opening an environment in a browser tab
 * needs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { forbidden } from '../../core/errors.ts';
import { reissueAccessToken } from '../../core/identity/auth.service.ts';
import { completeOidcLogin, signOut, startOidcLogin } from '../../core/identity/oidc.service.ts';
import { ctxOf, publicBaseUrl } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { AUTH_LIMITS } from './limits.ts';
import { message } from './presenters.ts';
import { CallbackQuery, ErrorSchema, LoginResponse, MessageSchema } from './schemas.ts';

function cookieSettings(request: FastifyRequest) {
  const { auth } = request.server.runtime.config;
  return {
    session: auth.sessionCookieName,
    binding: `${auth.sessionCookieName}_oidc`,
    secure: auth.cookieSecure,
  };
}

/** This surface's /auth/callback, from the route's own URL (so any mount works). */
function callbackUrl(request: FastifyRequest): string {
  const configured = request.server.runtime.config.cmbcluster.oidc.redirectUri;
  if (configured) return configured;
  const path = (request.routeOptions.url ?? '').replace(/\/auth\/[a-z]+$/, '/auth/callback');
  return `${publicBaseUrl(request)}${path}`;
}

function callbackPath(request: FastifyRequest): string {
  return new URL(callbackUrl(request)).pathname;
}

function setSession(
  request: FastifyRequest,
  reply: FastifyReply,
  grant: { accessToken: string; expiresIn: number },
) {
  const cookies = cookieSettings(request);
  reply.setCookie(cookies.session, grant.accessToken, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookies.secure,
    maxAge: grant.expiresIn,
  });
}

function clearSession(request: FastifyRequest, reply: FastifyReply) {
  const cookies = cookieSettings(request);
  reply.clearCookie(cookies.session, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookies.secure,
  });
}

export async function authRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/auth/login',
    {
      config: { auth: 'none', rateLimits: AUTH_LIMITS },
      schema: {
        tags: ['Authentication'],
        summary: 'Start sign-in with the configured OpenID Connect provider (Google by default)',
        description:
          'Returns the provider URL to send the browser to, and sets a short-lived HttpOnly cookie that ties the login to this browser (the callback needs it).',
        response: { 200: LoginResponse, 429: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { authUrl, browserBinding } = await startOidcLogin(ctxOf(request), {
        redirectUri: callbackUrl(request),
      });
      const cookies = cookieSettings(request);
      reply.setCookie(cookies.binding, browserBinding, {
        path: callbackPath(request),
        httpOnly: true,
        sameSite: 'lax',
        secure: cookies.secure,
        maxAge: request.server.runtime.config.cmbcluster.oidc.stateTtlSeconds,
      });
      return {
        status: 'success' as const,
        auth_url: authUrl,
        message: 'Redirect to auth_url to login',
        timestamp: new Date().toISOString(),
      };
    },
  );

  app.get(
    '/auth/callback',
    {
      config: { auth: 'none', rateLimits: AUTH_LIMITS },
      schema: {
        tags: ['Authentication'],
        summary:
          'OAuth callback (called by the provider): sets the session cookie, redirects to the dashboard',
        querystring: CallbackQuery,
        response: { 400: ErrorSchema, 403: ErrorSchema, 409: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const cookies = cookieSettings(request);
      const binding = request.cookies[cookies.binding];
      reply.clearCookie(cookies.binding, { path: callbackPath(request) });
      const { grant } = await completeOidcLogin(ctxOf(request), {
        query: request.query,
        browserBinding: binding,
      });
      setSession(request, reply, grant);
      const dashboard =
        request.server.runtime.config.cmbcluster.oidc.dashboardUrl ?? `${publicBaseUrl(request)}/`;
      return reply.redirect(dashboard, 302);
    },
  );

  app.post(
    '/auth/session',
    {
      config: { rateLimits: AUTH_LIMITS },
      schema: {
        tags: ['Authentication'],
        summary:
          'Sets the session cookie for the signed-in caller (beyond the spec: a browser opening an environment sends cookies, not bearer tokens)',
        description:
          'The cookie holds a new access token of the same session, so logging out with either ends both.',
        response: { 200: MessageSchema(), 401: ErrorSchema, 403: ErrorSchema },
      },
    },
    async (request, reply) => {
      setSession(request, reply, await reissueAccessToken(ctxOf(request)));
      return message('Session cookie set');
    },
  );

  app.get(
    '/auth/logout',
    {
      config: { auth: 'optional' },
      schema: {
        tags: ['Authentication'],
        summary: 'Sign out: the session is revoked everywhere and the cookie cleared',
        response: { 200: MessageSchema(), 403: ErrorSchema },
      },
    },
    async (request, reply) => {
      // A GET that ends a session: another site must not be able to trigger it.
      if (request.headers['sec-fetch-site'] === 'cross-site')
        throw forbidden('Cross-site request refused (CSRF check)');
      await signOut(ctxOf(request));
      clearSession(request, reply);
      return message('Logged out successfully');
    },
  );
}
