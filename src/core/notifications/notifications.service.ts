/**
 * Notifications: short messages to a user about their own events. No caller writes
 * them by hand: `notifyFromEvent` runs as an outbox hook (runtime.ts), in the
 * transaction that records the event, and turns the event types listed in
 * NOTIFYING_EVENTS into a notification for the event's user.
 */
import type { Ctx } from '../context.ts';
import { notFound } from '../errors.ts';
import type { StoredEvent } from '../events/events.types.ts';
import { requireUser } from '../identity/users.service.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import * as repo from './notifications.repo.ts';

export interface Notification {
  id: string;
  userId: number;
  userUuid: string;
  type: string;
  title: string;
  message: string;
  isRead: boolean;
  createdAt: number;
}

type Describe = (payload: Record<string, unknown>) => { title: string; message: string };

/**
 * Event type → how it reads as a notification. Capabilities add their own events here
 * (codespace tasks, credits, deployments).
 */
const NOTIFYING_EVENTS: Record<string, Describe> = {
  'document_generation.completed': (p) => ({
    title: 'Documents generated',
    message: `Background generation finished for project ${String(p.project_id)}: ${listOf(p.succeeded)} generated${failedPart(p.failed)}.`,
  }),
  'document_generation.failed': (p) => ({
    title: 'Document generation failed',
    message: `Background generation failed for project ${String(p.project_id)}: ${String(p.error ?? 'unknown error')}`,
  }),
  'credits.low': (p) => ({
    title: 'Credits running low',
    message: `You have ${String(p.remaining_credits)} credits left in this billing cycle.`,
  }),
};

/** The outbox hook: a notification for each notifying event of a user. */
export async function notifyFromEvent(ctx: Ctx, event: StoredEvent): Promise<void> {
  const describe = NOTIFYING_EVENTS[event.type];
  if (!describe || event.userId === null || event.tenantId === null) return;
  const { title, message } = describe(event.payload);
  await repo.insertNotification(ctx, {
    id: uuidv7(event.createdAt),
    tenant_id: event.tenantId,
    user_id: event.userId,
    type: event.type,
    title,
    message: message.slice(0, 2000),
    is_read: 0,
    event_id: event.id,
    created_at: event.createdAt,
  });
}

export async function listNotifications(
  ctx: Ctx,
  query: { unreadOnly: boolean; limit: number },
): Promise<Notification[]> {
  const actor = requireUser(ctx);
  const rows = await repo.listUserNotifications(ctx, actor.userId, query);
  return rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    userUuid: actor.userUuid,
    type: row.type,
    title: row.title,
    message: row.message,
    isRead: row.is_read === 1,
    createdAt: row.created_at,
  }));
}

/** Marks one of the caller's notifications read (idempotent); 404 for anyone else's. */
export async function markNotificationRead(ctx: Ctx, id: string): Promise<void> {
  const actor = requireUser(ctx);
  if (!isUuid(id) || !(await repo.markRead(ctx, actor.userId, id))) throw notFound('Notification');
}

function listOf(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? value.join(', ') : 'nothing';
}

function failedPart(value: unknown): string {
  return Array.isArray(value) && value.length > 0 ? `; failed: ${value.join(', ')}` : '';
}
