/** Task Assistant authentication: register (creates the tenant), login, refresh. */
import { login, refreshWithToken, reissueAccessToken } from '../../core/identity/auth.service.ts';
import { registerUser } from '../../core/identity/users.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { AUTH_LIMITS } from './limits.ts';
import { presentToken, presentUser } from './presenters.ts';
import {
  ErrorSchema,
  LoginBody,
  RefreshBody,
  RegisterBody,
  RegisteredUserSchema,
  TokenSchema,
} from './schemas.ts';

export async function authRoutes(app: SurfaceApp): Promise<void> {
  const ttl = app.runtime.config.auth.taskAssistantAccessTokenTtl;

  app.post(
    '/auth/register',
    {
      config: { auth: 'none', rateLimits: AUTH_LIMITS },
      schema: {
        tags: ['Authentication'],
        summary: 'Register a new user and create a tenant (the user is its admin)',
        body: RegisterBody,
        response: { 201: RegisteredUserSchema, 409: ErrorSchema, 422: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { email, password, full_name, tenant_name } = request.body;
      const { user } = await registerUser(ctxOf(request), {
        email,
        password,
        fullName: full_name ?? null,
        tenantName: tenant_name ?? full_name ?? email,
      });
      return reply.code(201).send(presentUser(user));
    },
  );

  app.post(
    '/auth/login',
    {
      config: { auth: 'none', rateLimits: AUTH_LIMITS },
      schema: {
        tags: ['Authentication'],
        summary: 'Login and receive an access token',
        body: LoginBody,
        response: { 200: TokenSchema, 401: ErrorSchema, 422: ErrorSchema },
      },
    },
    async (request) =>
      presentToken(
        await login(ctxOf(request), {
          login: request.body.email,
          password: request.body.password,
          ttlSeconds: ttl,
        }),
      ),
  );

  app.post(
    '/auth/refresh',
    {
      // The access token in the header is the credential; a refresh_token body is the alternative.
      config: { auth: 'optional', rateLimits: AUTH_LIMITS },
      schema: {
        tags: ['Authentication'],
        summary: 'Refresh the access token',
        body: RefreshBody,
        response: { 200: TokenSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      const ctx = ctxOf(request);
      const refreshToken = request.body?.refresh_token;
      if (ctx.actor.kind !== 'user' && refreshToken) {
        return presentToken(await refreshWithToken(ctx, refreshToken, ttl));
      }
      return presentToken(await reissueAccessToken(ctx, ttl));
    },
  );
}
