/** AutoServe user management: /users/register, /users/me. */
import {
  getCurrentUser,
  registerUser,
  updateCurrentUser,
} from '../../core/identity/users.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentUser } from './presenters.ts';
import {
  ErrorSchema,
  RegisterBody,
  RegisteredUserSchema,
  UpdateMeBody,
  UserSchema,
} from './schemas.ts';

export async function userRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/users/register',
    {
      config: { auth: 'none' },
      schema: {
        tags: ['Users'],
        summary: 'Register a new user',
        body: RegisterBody,
        response: { 201: RegisteredUserSchema, 400: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request, reply) => {
      const { username, password, email, full_name } = request.body;
      const { user } = await registerUser(ctxOf(request), {
        username,
        password,
        email,
        fullName: full_name ?? null,
      });
      const { updated_at: _, ...registered } = presentUser(user);
      return reply.code(201).send(registered);
    },
  );

  app.get(
    '/users/me',
    {
      schema: {
        tags: ['Users'],
        summary: 'Current user profile',
        response: { 200: UserSchema, 401: ErrorSchema },
      },
    },
    async (request) => presentUser(await getCurrentUser(ctxOf(request))),
  );

  app.put(
    '/users/me',
    {
      schema: {
        tags: ['Users'],
        summary: 'Update the current user profile',
        body: UpdateMeBody,
        response: { 200: UserSchema, 400: ErrorSchema, 409: ErrorSchema },
      },
    },
    async (request) =>
      presentUser(
        await updateCurrentUser(ctxOf(request), {
          fullName: request.body.full_name,
          email: request.body.email,
        }),
      ),
  );
}
