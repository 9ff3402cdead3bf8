/** Codeep authentication: /auth/register, /auth/login, /auth/me. */
import { Type } from 'typebox';
import { login } from '../../core/identity/auth.service.ts';
import { getCurrentUserWithApiKey, registerUser } from '../../core/identity/users.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { AUTH_LIMITS } from './limits.ts';
import { presentUser } from './presenters.ts';
import { ErrorSchema, LoginBody, RegisterBody, UserSchema } from './schemas.ts';

export async function authRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/auth/register',
    {
      config: { auth: 'none', rateLimits: AUTH_LIMITS },
      schema: {
        tags: ['Authentication'],
        summary: 'Create a new user account',
        body: RegisterBody,
        response: {
          201: Type.Object({ message: Type.String(), user: UserSchema }),
          400: ErrorSchema,
          409: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { user, apiKey } = await registerUser(ctxOf(request), request.body);
      return reply
        .code(201)
        .send({ message: 'User registered successfully', user: presentUser(user, apiKey) });
    },
  );

  app.post(
    '/auth/login',
    {
      config: { auth: 'none', rateLimits: AUTH_LIMITS },
      schema: {
        tags: ['Authentication'],
        summary: 'Authenticate and receive a JWT',
        body: LoginBody,
        response: {
          200: Type.Object({ access_token: Type.String(), user: UserSchema }),
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const grant = await login(ctxOf(request), {
        login: request.body.username,
        password: request.body.password,
      });
      return { access_token: grant.accessToken, user: presentUser(grant.user, grant.apiKey) };
    },
  );

  app.get(
    '/auth/me',
    {
      schema: {
        tags: ['Authentication'],
        summary: 'The authenticated user',
        security: [{ bearerAuth: [] }],
        response: { 200: Type.Object({ user: UserSchema }), 401: ErrorSchema },
      },
    },
    async (request) => {
      const { user, apiKey } = await getCurrentUserWithApiKey(ctxOf(request));
      return { user: presentUser(user, apiKey) };
    },
  );
}
