import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/**
 * The task engine: the durable job queue and its worker registry, the one task model,
 * per-day quota counters, the event outbox, and stored files (blobs and artifacts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);

  // ── jobs: every piece of background work ───────────────────────────────────
  await db.schema
    .createTable('jobs')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('tenant_id', t.id)
    .addColumn('lane', t.text, (c) => c.notNull().defaultTo('normal'))
    .addColumn('priority', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('run_at', t.time, (c) => c.notNull())
    .addColumn('attempts', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', t.int, (c) => c.notNull())
    .addColumn('lease_id', t.id)
    .addColumn('lease_expires_at', t.time)
    .addColumn('worker_id', t.id)
    .addColumn('cancel_requested', t.bool, (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', t.text)
    .addColumn('dedupe_key', t.text, (c) => c.unique())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addColumn('started_at', t.time)
    .addColumn('finished_at', t.time)
    .execute();
  // The claim scans only queued jobs, in claim order; running jobs are scanned by lease expiry.
  await sql`create index jobs_claimable on jobs (lane, priority desc, run_at, id) where status = 'queued'`.execute(
    db,
  );
  await sql`create index jobs_due on jobs (run_at) where status = 'queued'`.execute(db);
  await sql`create index jobs_running on jobs (lease_expires_at) where status = 'running'`.execute(
    db,
  );
  await sql`create index jobs_running_tenant on jobs (tenant_id) where status = 'running'`.execute(
    db,
  );

  // Per-tenant running counters: the row lock makes the concurrency cap exact across workers.
  await db.schema
    .createTable('job_tenant_slots')
    .addColumn('tenant_id', t.id, (c) => c.primaryKey())
    .addColumn('running', t.int, (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('workers')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('host', t.text, (c) => c.notNull())
    .addColumn('pid', t.int, (c) => c.notNull())
    .addColumn('concurrency', t.int, (c) => c.notNull())
    .addColumn('started_at', t.time, (c) => c.notNull())
    .addColumn('heartbeat_at', t.time, (c) => c.notNull())
    .addColumn('stopped_at', t.time)
    .execute();

  // ── tasks: the one task model every surface presents ───────────────────────
  await db.schema
    .createTable('tasks')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('title', t.text)
    .addColumn('prompt', t.text)
    .addColumn('description', t.text)
    .addColumn('toolset', t.json, (c) => c.notNull())
    .addColumn('parameters', t.json, (c) => c.notNull())
    .addColumn('metadata', t.json, (c) => c.notNull())
    .addColumn('priority', t.text, (c) => c.notNull())
    .addColumn('lane', t.text, (c) => c.notNull())
    .addColumn('scheduled_at', t.time)
    .addColumn('due_date', t.time)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('progress', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('result', t.json)
    .addColumn('error_message', t.text)
    .addColumn('attempts', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('retry_count', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('job_id', t.id)
    .addColumn('source', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addColumn('started_at', t.time)
    .addColumn('completed_at', t.time)
    .execute();
  await db.schema
    .createIndex('tasks_user_created')
    .on('tasks')
    .columns(['user_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('tasks_tenant_created')
    .on('tasks')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema.createIndex('tasks_status').on('tasks').columns(['status', 'lane']).execute();

  // Tasks created per user per UTC day: the quota counter (a single conditional upsert).
  await db.schema
    .createTable('daily_usage')
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('day', t.int, (c) => c.notNull())
    .addColumn('tasks', t.int, (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('daily_usage_pk', ['user_id', 'day'])
    .execute();

  // ── events: the outbox (and each task's status history) ────────────────────
  await db.schema
    .createTable('events')
    .addColumn('seq', t.serialPk)
    .addColumn('id', t.id, (c) => c.notNull().unique())
    .addColumn('tenant_id', t.id)
    .addColumn('user_id', t.int)
    .addColumn('type', t.text, (c) => c.notNull())
    .addColumn('subject_id', t.id)
    .addColumn('subject_seq', t.int)
    .addColumn('payload', t.json, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('dispatched_at', t.time)
    .execute();
  await sql`create unique index events_subject_seq on events (subject_id, subject_seq) where subject_id is not null`.execute(
    db,
  );
  await sql`create index events_undispatched on events (seq) where dispatched_at is null`.execute(
    db,
  );
  await db.schema.createIndex('events_tenant').on('events').columns(['tenant_id', 'seq']).execute();

  // ── files: content-addressed blobs and the named files that point at them ──
  await db.schema
    .createTable('files')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('task_id', t.id)
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('sha256', t.text, (c) => c.notNull())
    .addColumn('size', t.bigint, (c) => c.notNull())
    .addColumn('content_type', t.text, (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('files_task').on('files').columns(['task_id', 'name']).execute();
  await db.schema
    .createIndex('files_user')
    .on('files')
    .columns(['user_id', 'kind', 'created_at'])
    .execute();
  await db.schema.createIndex('files_sha').on('files').column('sha256').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'files',
    'events',
    'daily_usage',
    'tasks',
    'workers',
    'job_tenant_slots',
    'jobs',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
