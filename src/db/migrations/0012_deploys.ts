import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/**
 * Deploys (CodeGuide's `/coolify/*`): each user's own Coolify credentials (the token
 * sealed with the keyring's SecretBox, bound to the user and the base URL), and a record
 * of every deployment Tasklane asked a Coolify instance to start.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);
  await db.schema
    .createTable('coolify_credentials')
    .addColumn('user_id', t.int, (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('base_url', t.text, (c) => c.notNull())
    .addColumn('token_sealed', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('coolify_deployments')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('application_id', t.text, (c) => c.notNull())
    .addColumn('environment', t.text)
    .addColumn('config', t.json, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    // What Coolify calls the deployment (absent when it started none).
    .addColumn('coolify_deployment_uuid', t.text)
    .addColumn('message', t.text, (c) => c.notNull())
    .addColumn('base_url', t.text, (c) => c.notNull())
    .addColumn('source', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index coolify_deployments_user on coolify_deployments (user_id, created_at desc, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('coolify_deployments').ifExists().execute();
  await db.schema.dropTable('coolify_credentials').ifExists().execute();
}
