import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/**
 * The worker-pool autoscaler: a time series of pool samples (one per service and
 * sampling slot, whichever process writes it first), every scaling decision, the
 * forecasting models by version, and the desired worker count each process follows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('autoscale_samples')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('service', t.text, (c) => c.notNull())
    .addColumn('slot', t.bigint, (c) => c.notNull())
    .addColumn('sampled_at', t.time, (c) => c.notNull())
    .addColumn('interval_ms', t.int, (c) => c.notNull())
    .addColumn('queue_depth', t.int, (c) => c.notNull())
    .addColumn('running', t.int, (c) => c.notNull())
    .addColumn('arrivals', t.int, (c) => c.notNull())
    .addColumn('completions', t.int, (c) => c.notNull())
    .addColumn('arrival_rate', t.real, (c) => c.notNull())
    .addColumn('completion_rate', t.real, (c) => c.notNull())
    .addColumn('service_time_ms', t.real)
    .addColumn('cpu_usage', t.real, (c) => c.notNull())
    .addColumn('memory_usage', t.real, (c) => c.notNull())
    .addColumn('current_workers', t.int, (c) => c.notNull())
    .addColumn('desired_workers', t.int, (c) => c.notNull())
    .addColumn('trigger', t.text, (c) => c.notNull())
    .addColumn('predicted_arrival_rate', t.real)
    .addColumn('model_version', t.int)
    .execute();
  await sql`create unique index autoscale_samples_slot on autoscale_samples (service, slot)`.execute(
    db,
  );
  await sql`create index autoscale_samples_time on autoscale_samples (service, sampled_at)`.execute(
    db,
  );

  await db.schema
    .createTable('autoscale_decisions')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('service', t.text, (c) => c.notNull())
    .addColumn('decided_at', t.time, (c) => c.notNull())
    .addColumn('action', t.text, (c) => c.notNull())
    .addColumn('from_replicas', t.int, (c) => c.notNull())
    .addColumn('to_replicas', t.int, (c) => c.notNull())
    .addColumn('trigger', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('cpu_usage', t.real, (c) => c.notNull())
    .addColumn('memory_usage', t.real, (c) => c.notNull())
    .addColumn('request_rate', t.real, (c) => c.notNull())
    .addColumn('queue_depth', t.int, (c) => c.notNull())
    .addColumn('model_version', t.int)
    .addColumn('user_id', t.int)
    .execute();
  await sql`create index autoscale_decisions_time on autoscale_decisions (service, decided_at)`.execute(
    db,
  );

  await db.schema
    .createTable('autoscale_models')
    .addColumn('version', t.int, (c) => c.primaryKey())
    .addColumn('service', t.text, (c) => c.notNull())
    .addColumn('model_type', t.text, (c) => c.notNull())
    .addColumn('algorithm', t.text, (c) => c.notNull())
    .addColumn('params', t.json, (c) => c.notNull())
    .addColumn('accuracy', t.real, (c) => c.notNull())
    .addColumn('samples', t.int, (c) => c.notNull())
    .addColumn('training_hours', t.int, (c) => c.notNull())
    .addColumn('duration_ms', t.int, (c) => c.notNull())
    .addColumn('job_id', t.id)
    .addColumn('trained_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('autoscale_state')
    .addColumn('service', t.text, (c) => c.primaryKey())
    .addColumn('desired_workers', t.int, (c) => c.notNull())
    .addColumn('trigger', t.text, (c) => c.notNull())
    .addColumn('reason', t.text, (c) => c.notNull())
    .addColumn('manual_until', t.time)
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'autoscale_state',
    'autoscale_models',
    'autoscale_decisions',
    'autoscale_samples',
  ])
    await db.schema.dropTable(table).ifExists().execute();
}
