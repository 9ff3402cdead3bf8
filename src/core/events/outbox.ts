/**
 * The event outbox. recordEvent writes the event in the caller's transaction (so an
 * event exists exactly when the change it describes does) and announces it on the
 * events channel, delivered only after commit.
 */
import type { Ctx } from '../context.ts';
import { uuidv7 } from '../shared/ids.ts';
import { type InsertNotification, insertEvent } from './events.repo.ts';
import { EVENTS_CHANNEL, type NewEvent, type StoredEvent } from './events.types.ts';

/** PostgreSQL NOTIFY carries at most 8000 bytes; bigger events are announced by reference. */
const INLINE_LIMIT = 7000;

/**
 * Runs in the recording transaction for every event (webhooks fan out here). The
 * runtime lists them (runtime.ts): the outbox knows no capability.
 */
export type OutboxHook = (ctx: Ctx, event: StoredEvent) => Promise<void>;

export async function recordEvent(ctx: Ctx, event: NewEvent): Promise<StoredEvent> {
  const now = ctx.clock.now();
  const id = uuidv7(now);
  const payload = JSON.stringify(event.payload);
  const subjectId = event.subjectId ?? null;
  // On PostgreSQL the insert sends the notification itself (NOTIFY is transactional: it
  // goes out on commit, like a separate pg_notify would); elsewhere it follows below.
  const inInsert = ctx.runtime.eventNotifier.name === 'postgres';
  const stored = await insertEvent(
    ctx,
    {
      id,
      type: event.type,
      tenant_id: event.tenantId,
      user_id: event.userId,
      subject_id: subjectId,
      subject_seq: subjectId ? (event.subjectSeq ?? 'next') : null,
      payload,
      created_at: now,
    },
    inInsert
      ? notificationParts({
          id,
          type: event.type,
          tenantId: event.tenantId,
          userId: event.userId,
          subjectId,
          payload,
          createdAt: now,
        })
      : undefined,
  );
  for (const hook of ctx.runtime.outboxHooks) await hook(ctx, stored);
  if (!inInsert) await ctx.runtime.eventNotifier.notify(ctx, EVENTS_CHANNEL, eventMessage(stored));
  return stored;
}

/** The notification: the event as JSON, or (too big for NOTIFY) a reference to fetch it by. */
function eventMessage(stored: StoredEvent): string {
  const message = JSON.stringify(stored);
  return Buffer.byteLength(message) > INLINE_LIMIT
    ? JSON.stringify({ ...stored, payload: null, ref: true })
    : message;
}

/**
 * eventMessage's JSON in three parts around the two numbers the insert assigns (seq,
 * subject_seq), for PostgreSQL to join (events.repo.ts's InsertNotification).
 */
function notificationParts(
  event: Omit<StoredEvent, 'seq' | 'subjectSeq' | 'payload'> & { payload: string },
): InsertNotification {
  const { payload, ...rest } = event;
  const fields = (body: string) => `,${JSON.stringify(rest).slice(1, -1)},"payload":${body}}`;
  // Both numbers together take at most 40 digits.
  const inline = fields(payload);
  const tail =
    Buffer.byteLength(inline) + 40 + 30 > INLINE_LIMIT
      ? fields('null').replace(/}$/, ',"ref":true}')
      : inline;
  return { channel: EVENTS_CHANNEL, head: '{"seq":', middle: ',"subjectSeq":', tail };
}
