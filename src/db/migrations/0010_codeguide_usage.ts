import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/**
 * CodeGuide part 2: codespace tasks, the ledger's link to them (usage a client reports
 * for a codespace task is an ordinary `usage_records` row carrying `codespace_task_id`),
 * and the API usage log (one row per authenticated CodeGuide request).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('codespace_tasks')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('project_id', t.id, (c) => c.notNull().references('projects.id').onDelete('cascade'))
    .addColumn('repository_url', t.text, (c) => c.notNull())
    .addColumn('task_description', t.text, (c) => c.notNull())
    .addColumn('model_id', t.text)
    .addColumn('deployment_config', t.json)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index codespace_tasks_user on codespace_tasks (user_id, created_at desc, id)`.execute(
    db,
  );

  // No foreign key: the ledger outlives what it is about (a deleted task keeps its cost).
  await db.schema.alterTable('usage_records').addColumn('codespace_task_id', t.id).execute();
  await sql`create index usage_records_codespace on usage_records (codespace_task_id, created_at)`.execute(
    db,
  );

  await db.schema
    .createTable('api_usage_logs')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('surface', t.text, (c) => c.notNull())
    .addColumn('endpoint', t.text, (c) => c.notNull())
    .addColumn('method', t.text, (c) => c.notNull())
    .addColumn('status_code', t.int, (c) => c.notNull())
    .addColumn('response_time_ms', t.real, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index api_usage_logs_user on api_usage_logs (user_id, created_at desc)`.execute(
    db,
  );
  await sql`create index api_usage_logs_created on api_usage_logs (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_usage_logs').ifExists().execute();
  await sql`drop index if exists usage_records_codespace`.execute(db);
  await db.schema.alterTable('usage_records').dropColumn('codespace_task_id').execute();
  await db.schema.dropTable('codespace_tasks').ifExists().execute();
}
