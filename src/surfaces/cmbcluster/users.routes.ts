/** CMBCluster's /users/me: the user with their tier's environment limits. */
import { getAccount } from '../../core/environments/account.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { envelope, presentMe } from './presenters.ts';
import { ErrorSchema, MeResponse } from './schemas.ts';

export async function userRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/users/me',
    {
      schema: {
        tags: ['Authentication'],
        summary: 'Current user, with the uptime limits of their subscription tier',
        security: [{ session: [] }, { bearerAuth: [] }, { apiKey: [] }],
        response: { 200: MeResponse, 401: ErrorSchema },
      },
    },
    async (request) => {
      const { user, limits } = await getAccount(ctxOf(request));
      return envelope(presentMe(user, limits));
    },
  );
}
