/** CMBCluster's /admin routes: platform admins only (403 for everyone else). */
import { listAllActivity } from '../../core/activity/activity.service.ts';
import { listAllEnvironments } from '../../core/environments/environments.service.ts';
import { listAllUsers } from '../../core/identity/users.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { envelope, presentActivity, presentAdminEnvironment, presentUser } from './presenters.ts';
import {
  ActivityResponse,
  AdminActivityQuery,
  AdminEnvironmentsResponse,
  AdminUsersResponse,
  ErrorSchema,
} from './schemas.ts';

const ADMIN_ERRORS = { 401: ErrorSchema, 403: ErrorSchema };

export async function adminRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/admin/users',
    {
      schema: {
        tags: ['Admin'],
        summary: 'List all users (admin role required)',
        response: { 200: AdminUsersResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => envelope({ users: (await listAllUsers(ctxOf(request))).map(presentUser) }),
  );

  app.get(
    '/admin/environments',
    {
      schema: {
        tags: ['Admin'],
        summary: 'List all environments (admin role required)',
        response: { 200: AdminEnvironmentsResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) =>
      envelope({
        environments: (await listAllEnvironments(ctxOf(request))).map(presentAdminEnvironment),
      }),
  );

  app.get(
    '/admin/activity',
    {
      schema: {
        tags: ['Admin'],
        summary: "All users' activity, optionally one user's (admin role required)",
        querystring: AdminActivityQuery,
        response: { 200: ActivityResponse, 400: ErrorSchema, ...ADMIN_ERRORS },
      },
    },
    async (request) =>
      envelope({
        activities: (
          await listAllActivity(ctxOf(request), {
            limit: request.query.limit,
            userUuid: request.query.user_id,
          })
        ).map(presentActivity),
      }),
  );
}
