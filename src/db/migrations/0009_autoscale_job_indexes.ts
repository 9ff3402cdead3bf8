import { type Kysely, sql } from 'kysely';

/**
 * The autoscaler's sampler counts the jobs created and finished in each interval;
 * without these indexes every sample (and every GET /ml/scaling/predictions) would scan
 * the whole jobs table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index jobs_created_at on jobs (created_at)`.execute(db);
  await sql`create index jobs_finished_at on jobs (finished_at) where finished_at is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists jobs_created_at`.execute(db);
  await sql`drop index if exists jobs_finished_at`.execute(db);
}
