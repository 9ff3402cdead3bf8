/** CMBCluster's /activity: the user's own log. */
import { listMyActivity } from '../../core/activity/activity.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { envelope, presentActivity } from './presenters.ts';
import { ActivityQuery, ActivityResponse, ErrorSchema } from './schemas.ts';

export async function activityRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/activity',
    {
      schema: {
        tags: ['Activity'],
        summary: 'Your activity log, newest first',
        querystring: ActivityQuery,
        response: { 200: ActivityResponse, 400: ErrorSchema, 401: ErrorSchema },
      },
    },
    async (request) =>
      envelope({
        activities: (await listMyActivity(ctxOf(request), request.query.limit)).map(
          presentActivity,
        ),
      }),
  );
}
