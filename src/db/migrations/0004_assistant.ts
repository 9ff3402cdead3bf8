import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/**
 * Conversations and messages (chat), agents and their runs, and webhooks with their
 * deliveries and every delivery attempt.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  const owned = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
      .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'));

  await owned('conversations')
    .addColumn('title', t.text)
    .addColumn('provider', t.text)
    .addColumn('model', t.text)
    .addColumn('system_prompt', t.text)
    .addColumn('metadata', t.json, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index conversations_tenant on conversations (tenant_id, created_at desc)`.execute(
    db,
  );

  await db.schema
    .createTable('messages')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('conversation_id', t.id, (c) =>
      c.notNull().references('conversations.id').onDelete('cascade'),
    )
    .addColumn('tenant_id', t.id, (c) => c.notNull())
    .addColumn('role', t.text, (c) => c.notNull())
    .addColumn('content', t.text, (c) => c.notNull())
    .addColumn('tokens_used', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('cost_micro_usd', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index messages_conversation on messages (conversation_id, created_at, id)`.execute(
    db,
  );

  await owned('agents')
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('instructions', t.text)
    .addColumn('provider', t.text)
    .addColumn('model', t.text)
    .addColumn('temperature', t.real)
    .addColumn('tools', t.json, (c) => c.notNull())
    .addColumn('metadata', t.json, (c) => c.notNull())
    .addColumn('is_active', t.bool, (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index agents_tenant on agents (tenant_id, created_at desc)`.execute(db);

  await owned('agent_runs')
    .addColumn('agent_id', t.id, (c) => c.notNull().references('agents.id').onDelete('cascade'))
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('input', t.text, (c) => c.notNull())
    .addColumn('output', t.text)
    .addColumn('error_message', t.text)
    .addColumn('tokens_used', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('cost_micro_usd', t.bigint, (c) => c.notNull().defaultTo(0))
    .addColumn('tools_used', t.json, (c) => c.notNull())
    .addColumn('metadata', t.json, (c) => c.notNull())
    .addColumn('execution_time_ms', t.int)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('completed_at', t.time)
    .execute();
  await sql`create index agent_runs_agent on agent_runs (agent_id, created_at desc)`.execute(db);

  await owned('webhooks')
    .addColumn('url', t.text, (c) => c.notNull())
    .addColumn('event_types', t.json, (c) => c.notNull())
    .addColumn('secret_sealed', t.text, (c) => c.notNull())
    .addColumn('description', t.text)
    .addColumn('is_active', t.bool, (c) => c.notNull().defaultTo(1))
    .addColumn('disabled_reason', t.text)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index webhooks_tenant on webhooks (tenant_id) where is_active = 1`.execute(db);

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('webhook_id', t.id, (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('tenant_id', t.id, (c) => c.notNull())
    .addColumn('event_id', t.id, (c) => c.notNull())
    .addColumn('event_type', t.text, (c) => c.notNull())
    .addColumn('body', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('attempts', t.int, (c) => c.notNull().defaultTo(0))
    .addColumn('last_status_code', t.int)
    .addColumn('last_error', t.text)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('delivered_at', t.time)
    .addUniqueConstraint('webhook_deliveries_once', ['webhook_id', 'event_id'])
    .execute();
  await sql`create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, created_at desc)`.execute(
    db,
  );

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('delivery_id', t.id, (c) =>
      c.notNull().references('webhook_deliveries.id').onDelete('cascade'),
    )
    .addColumn('webhook_id', t.id, (c) => c.notNull())
    .addColumn('attempt', t.int, (c) => c.notNull())
    .addColumn('status_code', t.int)
    .addColumn('error', t.text)
    .addColumn('duration_ms', t.int, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index webhook_attempts_webhook on webhook_attempts (webhook_id, created_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'webhook_attempts',
    'webhook_deliveries',
    'webhooks',
    'agent_runs',
    'agents',
    'messages',
    'conversations',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
