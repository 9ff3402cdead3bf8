/**
 * Every query of the job queue. Claiming differs by engine (PostgreSQL: one statement
 * with FOR UPDATE SKIP LOCKED; SQLite: a short write transaction, already exclusive);
 * everything else is shared.
 */
import { type QueryCreator, type Selectable, sql } from 'kysely';
import { columnsOf, precompiledRow } from '../../db/precompiled.ts';
import { markPrepared } from '../../db/prepared.ts';
import type { Database, JobsTable } from '../../db/types.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { JOBS_CHANNEL, type JobRecord, type JobStatus, type Lane } from './jobs.types.ts';

export type JobRow = Selectable<JobsTable>;

export function toJob<P>(row: JobRow): JobRecord<P> {
  return {
    id: row.id,
    kind: row.kind,
    tenantId: row.tenant_id,
    lane: row.lane as Lane,
    priority: row.priority,
    payload: JSON.parse(row.payload) as P,
    status: row.status as JobStatus,
    runAt: row.run_at,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    leaseId: row.lease_id,
    leaseExpiresAt: row.lease_expires_at,
    workerId: row.worker_id,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

/** Inserts a job; with a dedupe key already taken, nothing happens and undefined is returned. */
type NewJobRow = Omit<
  JobRow,
  | 'lease_id'
  | 'lease_expires_at'
  | 'worker_id'
  | 'cancel_requested'
  | 'last_error'
  | 'started_at'
  | 'finished_at'
>;

const NEW_JOB_COLUMNS = columnsOf<NewJobRow>({
  id: true,
  kind: true,
  tenant_id: true,
  lane: true,
  priority: true,
  payload: true,
  status: true,
  run_at: true,
  attempts: true,
  max_attempts: true,
  dedupe_key: true,
  created_at: true,
  updated_at: true,
});

const insertQuery = (db: Ctx['db'], row: NewJobRow) =>
  db
    .insertInto('jobs')
    .values({
      ...row,
      lease_id: null,
      lease_expires_at: null,
      worker_id: null,
      cancel_requested: 0,
      last_error: null,
      started_at: null,
      finished_at: null,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returningAll();

// Every task creation runs one of these: compiled once (db/precompiled.ts).
const insertJobRow = precompiledRow(NEW_JOB_COLUMNS, insertQuery);
const insertJobRowNotifying = precompiledRow(NEW_JOB_COLUMNS, (db, row) =>
  db
    .with('inserted', (tx) => insertQuery(tx as Ctx['db'], row))
    .selectFrom('inserted')
    .selectAll()
    .select(sql<string>`pg_notify(${JOBS_CHANNEL}, inserted.kind)`.as('notified')),
);

export async function insertJob(
  ctx: Ctx,
  row: NewJobRow,
  /** PostgreSQL: send the jobs channel's NOTIFY from the same statement (one round trip, same commit). */
  notify = false,
): Promise<JobRecord | undefined> {
  if (notify && ctx.dialect === 'postgres') {
    const [inserted] = await insertJobRowNotifying(ctx.db, ctx.dialect, row);
    if (!inserted) return undefined;
    const { notified: _, ...job } = inserted;
    return toJob(job as JobRow);
  }
  const [inserted] = await insertJobRow(ctx.db, ctx.dialect, row);
  return inserted && toJob(inserted);
}

/**
 * Moves a running job out of 'running' — only if the caller still holds its lease — and
 * gives the tenant slot back, atomically: one statement on PostgreSQL (the slot's update
 * in a CTE), a transaction on SQLite. False when the lease was lost.
 */
export async function leaveRunning(
  ctx: Ctx,
  jobId: string,
  leaseId: string,
  changes: { status: JobStatus; runAt?: number; lastError?: string | null; attemptsDelta?: number },
): Promise<boolean> {
  const now = ctx.clock.now();
  const terminal = changes.status !== 'queued';
  const leave = (db: QueryCreator<Database>) =>
    db
      .updateTable('jobs')
      .set({
        status: changes.status,
        lease_id: null,
        lease_expires_at: null,
        worker_id: null,
        updated_at: now,
        ...(changes.runAt !== undefined ? { run_at: changes.runAt } : {}),
        ...(changes.lastError !== undefined ? { last_error: changes.lastError } : {}),
        ...(changes.attemptsDelta ? { attempts: sql`attempts + ${changes.attemptsDelta}` } : {}),
        ...(terminal ? { finished_at: now } : {}),
      })
      .where('id', '=', jobId)
      .where('lease_id', '=', leaseId)
      .where('status', '=', 'running')
      .returning(['tenant_id']);
  if (ctx.dialect === 'postgres') {
    const query = ctx.db
      .with('left_running', (db) => leave(db))
      .with('slot', (db) =>
        db
          .updateTable('job_tenant_slots')
          .set({ running: sql`running - 1` })
          .where('tenant_id', '=', (eb) => eb.selectFrom('left_running').select('tenant_id'))
          .where('running', '>', 0),
      )
      .selectFrom('left_running')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .compile();
    // A handful of shapes (which fields change), each run for every job: prepared.
    markPrepared(query.sql);
    const { rows } = await ctx.db.executeQuery(query);
    return Number(rows[0]?.n ?? 0) === 1;
  }
  return withTransaction(ctx, async (tx) => {
    const row = await leave(tx.db).executeTakeFirst();
    if (!row) return false;
    if (row.tenant_id !== null) await releaseTenantSlot(tx, row.tenant_id);
    return true;
  });
}

async function releaseTenantSlot(ctx: Ctx, tenantId: string): Promise<void> {
  await ctx.db
    .updateTable('job_tenant_slots')
    .set({ running: sql`running - 1` })
    .where('tenant_id', '=', tenantId)
    .where('running', '>', 0)
    .execute();
}

/** Proves the lease is still held (and keeps the row locked until the transaction ends). */
export async function fenceLease(ctx: Ctx, jobId: string, leaseId: string): Promise<boolean> {
  const result = await ctx.db
    .updateTable('jobs')
    .set({ updated_at: ctx.clock.now() })
    .where('id', '=', jobId)
    .where('lease_id', '=', leaseId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Renews the leases this worker holds; returns those still held, with their cancel flag. */
export async function extendLeases(
  ctx: Ctx,
  leaseIds: string[],
  expiresAt: number,
): Promise<{ id: string; leaseId: string; cancelRequested: boolean }[]> {
  if (leaseIds.length === 0) return [];
  const rows = await ctx.db
    .updateTable('jobs')
    .set({ lease_expires_at: expiresAt })
    .where('lease_id', 'in', leaseIds)
    // A literal, not a parameter: only then can the partial index jobs_running serve
    // (a database cannot know a parameter matches the index's WHERE when it plans).
    .where('status', '=', sql.lit('running'))
    .returning(['id', 'lease_id', 'cancel_requested'])
    .execute();
  return rows.map((r) => ({
    id: r.id,
    leaseId: r.lease_id!,
    cancelRequested: Boolean(r.cancel_requested),
  }));
}

/** Running jobs whose lease ran out: their worker died or stalled. */
export async function findExpiredLeases(ctx: Ctx, now: number, limit = 100) {
  return ctx.db
    .selectFrom('jobs')
    .select(['id', 'lease_id', 'kind', 'attempts', 'max_attempts'])
    .where('status', '=', sql.lit('running')) // the partial index jobs_running (see above)
    .where('lease_expires_at', '<', now)
    .orderBy('lease_expires_at')
    .limit(limit)
    .execute();
}

export async function findJob(ctx: Ctx, id: string): Promise<JobRecord | undefined> {
  const row = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toJob(row);
}

/** Cancels a job that has not started; false when it is no longer queued. */
export async function cancelQueuedJob(ctx: Ctx, id: string): Promise<boolean> {
  const now = ctx.clock.now();
  const result = await ctx.db
    .updateTable('jobs')
    .set({ status: 'cancelled', finished_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Moves a job that has not been claimed (new priority or start time); false once it has. */
export async function rescheduleQueuedJob(
  ctx: Ctx,
  id: string,
  changes: { priority?: number; runAt?: number },
): Promise<boolean> {
  const set: { updated_at: number; priority?: number; run_at?: number } = {
    updated_at: ctx.clock.now(),
  };
  if (changes.priority !== undefined) set.priority = changes.priority;
  if (changes.runAt !== undefined) set.run_at = changes.runAt;
  const result = await ctx.db
    .updateTable('jobs')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Flags a running job for cancellation; its worker sees it by notification or heartbeat. */
export async function requestJobCancel(ctx: Ctx, id: string): Promise<boolean> {
  const result = await ctx.db
    .updateTable('jobs')
    .set({ cancel_requested: 1, updated_at: ctx.clock.now() })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Counts of jobs by lane and status (queue statistics). */
export async function countJobs(ctx: Ctx, kinds?: string[]) {
  let query = ctx.db
    .selectFrom('jobs')
    .select(['lane', 'status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', 'in', ['queued', 'running'])
    .groupBy(['lane', 'status']);
  if (kinds?.length) query = query.where('kind', 'in', kinds);
  const rows = await query.execute();
  return rows.map((r) => ({
    lane: r.lane as Lane,
    status: r.status as JobStatus,
    count: Number(r.count),
  }));
}
