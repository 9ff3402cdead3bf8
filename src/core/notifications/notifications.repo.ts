/** Notifications in the database; every query is scoped to the owner. */
import type { Insertable, Selectable } from 'kysely';
import type { NotificationsTable } from '../../db/codeguide-types.ts';
import type { Ctx } from '../context.ts';

export type NotificationRow = Selectable<NotificationsTable>;

export async function insertNotification(
  ctx: Ctx,
  row: Insertable<NotificationsTable>,
): Promise<void> {
  await ctx.db.insertInto('notifications').values(row).execute();
}

export function listUserNotifications(
  ctx: Ctx,
  userId: number,
  query: { unreadOnly: boolean; limit: number },
): Promise<NotificationRow[]> {
  let base = ctx.db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (query.unreadOnly) base = base.where('is_read', '=', 0);
  return base.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
}

/** Marks the user's notification read; false when the user has no such notification. */
export async function markRead(ctx: Ctx, userId: number, id: string): Promise<boolean> {
  const result = await ctx.db
    .updateTable('notifications')
    .set({ is_read: 1 })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
