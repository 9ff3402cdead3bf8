/** Queries of the event outbox. */

import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { columnsOf, precompiled, precompiledRow } from '../../db/precompiled.ts';
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
// Every task change records an event: these are compiled once (db/precompiled.ts).
const lastSubjectSeq = precompiled((db, subjectId: string) =>
  db
    .selectFrom('events')
    .select((eb) => eb.fn.max('subject_seq').as('max'))
    .where('subject_id', '=', subjectId),
);

type NewEventRow = Omit<Selectable<EventsTable>, 'seq' | 'dispatched_at'>;

const insertEventRow = precompiledRow(
  columnsOf<NewEventRow>({
    id: true,
    tenant_id: true,
    user_id: true,
    type: true,
    subject_id: true,
    subject_seq: true,
    payload: true,
    created_at: true,
  }),
  (db, row) =>
    db
      .insertInto('events')
      .values({ ...row, dispatched_at: null })
      .returningAll(),
);

export async function nextSubjectSeq(ctx: Ctx, subjectId: string): Promise<number> {
  const [row] = await lastSubjectSeq(ctx.db, ctx.dialect, subjectId);
  return Number(row?.max ?? 0) + 1;
}

export async function insertEvent(ctx: Ctx, row: NewEventRow): Promise<StoredEvent> {
  const [inserted] = await insertEventRow(ctx.db, ctx.dialect, row);
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
