/** CodeGuide notifications: the caller's, newest first; marking one read. */
import { Type } from 'typebox';
import {
  listNotifications,
  markNotificationRead,
} from '../../core/notifications/notifications.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentNotification, success, successMessage } from './presenters.ts';
import {
  ErrorSchema,
  IdParam,
  NotificationSchema,
  NotificationsQuery,
  Success,
  SuccessMessage,
} from './schemas.ts';

const tags = ['Notifications'];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };

export async function notificationRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/notifications',
    {
      schema: {
        tags,
        summary: "The caller's notifications, newest first",
        querystring: NotificationsQuery,
        response: { 200: Success(Type.Array(NotificationSchema)), ...errors },
      },
    },
    async (request) => {
      const { unread_only = false, limit = 50 } = request.query;
      const items = await listNotifications(ctxOf(request), { unreadOnly: unread_only, limit });
      return success(items.map(presentNotification));
    },
  );

  app.put(
    '/notifications/:notification_id/read',
    {
      schema: {
        tags,
        summary: 'Mark a notification read',
        params: IdParam('notification_id'),
        response: { 200: SuccessMessage, ...errors },
      },
    },
    async (request) => {
      await markNotificationRead(ctxOf(request), request.params.notification_id);
      return successMessage('Notification marked as read');
    },
  );
}
