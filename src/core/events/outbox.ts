/**
 * The event outbox. recordEvent writes the event in the caller's transaction (so an
 * event exists exactly when the change it describes does) and announces it on the
 * events channel, delivered only after commit.
 */
import type { Ctx } from '../context.ts';
import { uuidv7 } from '../shared/ids.ts';
import { insertEvent, nextSubjectSeq } from './events.repo.ts';
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
  const stored = await insertEvent(ctx, {
    id: uuidv7(now),
    type: event.type,
    tenant_id: event.tenantId,
    user_id: event.userId,
    subject_id: event.subjectId ?? null,
    subject_seq: event.subjectId
      ? (event.subjectSeq ?? (await nextSubjectSeq(ctx, event.subjectId)))
      : null,
    payload: JSON.stringify(event.payload),
    created_at: now,
  });
  for (const hook of ctx.runtime.outboxHooks) await hook(ctx, stored);
  let message = JSON.stringify(stored);
  if (Buffer.byteLength(message) > INLINE_LIMIT)
    message = JSON.stringify({ ...stored, payload: null, ref: true });
  await ctx.runtime.eventNotifier.notify(ctx, EVENTS_CHANNEL, message);
  return stored;
}
