import { type Kysely, sql } from 'kysely';

/**
 * Two indexes no query uses, each written on every insert of the hottest tables:
 * `events_undispatched` (nothing sets or reads `dispatched_at`: events are announced by
 * NOTIFY/Redis/in-process, not polled) and `jobs_due` (claims walk `jobs_claimable`,
 * which holds run_at too; nothing else filters queued jobs by run_at alone). Each
 * task's life wrote five entries into them.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists events_undispatched`.execute(db);
  await sql`drop index if exists jobs_due`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists events_undispatched on events (seq) where dispatched_at is null`.execute(
    db,
  );
  await sql`create index if not exists jobs_due on jobs (run_at) where status = 'queued'`.execute(
    db,
  );
}
