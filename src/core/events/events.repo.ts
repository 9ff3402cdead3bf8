/** Queries of the event outbox. */

import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { precompiled } from '../../db/precompiled.ts';
import type { EventsTable } from '../../db/types.ts';
import type { Ctx } from '../context.ts';
import type { StoredEvent } from './events.types.ts';

export function toEvent(row: Selectable<EventsTable>): StoredEvent {
  return {
    seq: row.seq,
    id: row.id,
    type: row.type,
    tenantId: row.tenant_id,
    userId: row.user_id,
    subjectId: row.subject_id,
    subjectSeq: row.subject_seq,
    payload: JSON.parse(row.payload),
    createdAt: row.created_at,
  };
}

type NewEventRow = Omit<Selectable<EventsTable>, 'seq' | 'dispatched_at'>;

/**
 * A PostgreSQL notification sent by the insert itself (one statement, not two): the
 * message is `head` + the event's seq + `middle` + its subject_seq + `tail`, the parts
 * the database numbers being the only ones not known before the insert.
 */
export interface InsertNotification {
  channel: string;
  head: string;
  middle: string;
  tail: string;
}

/**
 * The event insert, compiled once per dialect and variant (db/precompiled.ts): every
 * task change records an event. `nextSeq`: numbered after the subject's last event by
 * the insert itself (callers hold the subject's row lock, its own update); `notify`:
 * with pg_notify in its RETURNING.
 */
function eventInsert(nextSeq: boolean, notify: boolean) {
  return precompiled(
    (
      db,
      id: string,
      tenant_id: string | null,
      user_id: number | null,
      type: string,
      subject_id: string | null,
      subject_seq: number | null,
      payload: string,
      created_at: number,
      channel: string,
      head: string,
      middle: string,
      tail: string,
    ) => {
      const insert = db
        .insertInto('events')
        .values({
          id,
          tenant_id,
          user_id,
          type,
          subject_id,
          subject_seq: nextSeq
            ? sql<number>`(select coalesce(max(subject_seq), 0) + 1 from events where subject_id = ${subject_id})`
            : subject_seq,
          payload,
          created_at,
          dispatched_at: null,
        })
        .returningAll();
      return notify
        ? insert.returning(
            sql<string>`pg_notify(${channel}::text, ${head}::text || seq::text || ${middle}::text || coalesce(subject_seq::text, 'null') || ${tail}::text)`.as(
              'notified',
            ),
          )
        : insert;
    },
  );
}

const EVENT_INSERTS = [
  [eventInsert(false, false), eventInsert(false, true)],
  [eventInsert(true, false), eventInsert(true, true)],
] as const;

/**
 * Inserts an event; a subject event with `subject_seq: 'next'` is numbered after the
 * subject's last. With `notification`, the insert also sends it (PostgreSQL only).
 */
export async function insertEvent(
  ctx: Ctx,
  row: Omit<NewEventRow, 'subject_seq'> & { subject_seq: number | null | 'next' },
  notification?: InsertNotification,
): Promise<StoredEvent> {
  const next = row.subject_seq === 'next';
  const insert = EVENT_INSERTS[next ? 1 : 0][notification ? 1 : 0];
  const [inserted] = await insert(
    ctx.db,
    ctx.dialect,
    row.id,
    row.tenant_id,
    row.user_id,
    row.type,
    row.subject_id,
    next ? null : (row.subject_seq as number | null),
    row.payload,
    row.created_at,
    notification?.channel ?? '',
    notification?.head ?? '',
    notification?.middle ?? '',
    notification?.tail ?? '',
  );
  if (!inserted) throw new Error('the event insert returned no row');
  return toEvent(inserted);
}

export async function findEventBySeq(ctx: Ctx, seq: number): Promise<StoredEvent | undefined> {
  const row = await ctx.db
    .selectFrom('events')
    .selectAll()
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row && toEvent(row);
}

/** A subject's history in order, optionally after a sequence number (for replay). */
export async function listSubjectEvents(
  ctx: Ctx,
  subjectId: string,
  afterSubjectSeq = 0,
): Promise<StoredEvent[]> {
  const rows = await ctx.db
    .selectFrom('events')
    .selectAll()
    .where('subject_id', '=', subjectId)
    .where('subject_seq', '>', afterSubjectSeq)
    .orderBy('subject_seq')
    .execute();
  return rows.map(toEvent);
}

/** PostgreSQL NOTIFY inside the caller's transaction (delivered only if it commits). */
export async function pgNotify(ctx: Ctx, channel: string, payload: string): Promise<void> {
  await sql`select pg_notify(${channel}, ${payload})`.execute(ctx.db);
}
