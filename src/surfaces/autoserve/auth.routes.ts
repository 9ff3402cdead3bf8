/** AutoServe authentication: /auth/login, /auth/refresh, /auth/logout. */
import { login, logout, refreshAccessToken } from '../../core/identity/auth.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentToken } from './presenters.ts';
import {
  ErrorSchema,
  LoginBody,
  MessageSchema,
  RefreshBody,
  RefreshedTokenSchema,
  TokenSchema,
} from './schemas.ts';

export async function authRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/auth/login',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['Authentication'],
        summary: 'Authenticate and receive a JWT and a refresh token',
        body: LoginBody,
        response: { 200: TokenSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      const grant = await login(ctxOf(request), {
        login: request.body.username,
        password: request.body.password,
        withRefreshToken: true,
      });
      return presentToken(grant);
    },
  );

  app.post(
    '/auth/refresh',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['Authentication'],
        summary: 'Trade the login refresh token for a new access token',
        description:
          'The refresh token from login stays valid for any number of refreshes until it expires or the session is logged out (logout revokes it and every access token of the session).',
        body: RefreshBody,
        response: { 200: RefreshedTokenSchema, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) =>
      presentToken(await refreshAccessToken(ctxOf(request), request.body.refresh_token)),
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['Authentication'],
        summary: 'Invalidate the JWT (and its refresh token)',
        response: { 200: MessageSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      await logout(ctxOf(request));
      return { message: 'Successfully logged out' };
    },
  );
}
