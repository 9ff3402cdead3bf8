/** Queries of the event outbox. */

import type { Selectable } from 'kysely';
import { sql } from 'kysely';
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

/** Next per-subject sequence number; callers hold the subject's row lock (its own update). */
export async function nextSubjectSeq(ctx: Ctx, subjectId: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('events')
    .select((eb) => eb.fn.max('subject_seq').as('max'))
    .where('subject_id', '=', subjectId)
    .executeTakeFirst();
  return Number(row?.max ?? 0) + 1;
}

export async function insertEvent(
  ctx: Ctx,
  row: Omit<Selectable<EventsTable>, 'seq' | 'dispatched_at'>,
): Promise<StoredEvent> {
  const inserted = await ctx.db
    .insertInto('events')
    .values({ ...row, dispatched_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
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
