import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/**
 * Metering: one usage ledger for LLM tokens, sandbox seconds and tasks, and credit
 * accounts per user and billing cycle (with the reservations in-flight runs hold).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('usage_records')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull())
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    // llm | sandbox | task | tracked (reported by a client through a usage API)
    .addColumn('kind', t.text, (c) => c.notNull())
    .addColumn('model_key', t.text)
    .addColumn('input_tokens', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('cached_input_tokens', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('duration_ms', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('cost_micro_usd', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('task_id', t.id)
    .addColumn('conversation_id', t.id)
    .addColumn('agent_run_id', t.id)
    // UTC day number (epoch days), for summaries by day without date functions.
    .addColumn('day', t.int, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index usage_records_user_day on usage_records (user_id, day)`.execute(db);
  await sql`create index usage_records_tenant_day on usage_records (tenant_id, day)`.execute(db);
  await sql`create index usage_records_task on usage_records (task_id) where task_id is not null`.execute(
    db,
  );

  await db.schema
    .createTable('credit_accounts')
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('cycle_start', t.time, (c) => c.notNull())
    .addColumn('cycle_end', t.time, (c) => c.notNull())
    .addColumn('plan', t.text, (c) => c.notNull())
    .addColumn('allotted_micro_usd', t.bigint, (c) => c.notNull())
    .addColumn('consumed_micro_usd', t.bigint, (c) => c.notNull().defaultTo(0))
    // Held by runs in flight: reserved before a step, released when it settles.
    .addColumn('reserved_micro_usd', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('credit_accounts_pk', ['user_id', 'cycle_start'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('credit_accounts').ifExists().execute();
  await db.schema.dropTable('usage_records').ifExists().execute();
}
