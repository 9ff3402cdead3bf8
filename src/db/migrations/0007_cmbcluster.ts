import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/**
 * CMBCluster: OpenID Connect logins in flight, users' environments, their encrypted
 * environment variables and their activity log.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);

  // A started OIDC login: looked up by the hash of its `state`, deleted when used.
  await db.schema
    .createTable('oidc_logins')
    .addColumn('state_hash', t.text, (c) => c.primaryKey())
    .addColumn('sealed', t.text, (c) => c.notNull())
    .addColumn('redirect_uri', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('expires_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cmb_environments')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('image', t.text, (c) => c.notNull())
    .addColumn('profile', t.text, (c) => c.notNull())
    .addColumn('application_id', t.text)
    .addColumn('name', t.text)
    .addColumn('description', t.text)
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('status_reason', t.text)
    // The server process running it (local driver): its restart marks the environment stopped.
    .addColumn('host_id', t.text)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('started_at', t.time)
    .addColumn('stopped_at', t.time)
    .addColumn('last_activity_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index cmb_environments_user on cmb_environments (user_id, created_at desc)`.execute(
    db,
  );
  await sql`create index cmb_environments_status on cmb_environments (status)`.execute(db);

  await db.schema
    .createTable('cmb_env_vars')
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key', t.text, (c) => c.notNull())
    .addColumn('value_sealed', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .addPrimaryKeyConstraint('cmb_env_vars_pk', ['user_id', 'key'])
    .execute();

  await db.schema
    .createTable('cmb_activity')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('action', t.text, (c) => c.notNull())
    .addColumn('details', t.text, (c) => c.notNull())
    .addColumn('status', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await sql`create index cmb_activity_user on cmb_activity (user_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index cmb_activity_time on cmb_activity (created_at desc, id desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cmb_activity').execute();
  await db.schema.dropTable('cmb_env_vars').execute();
  await db.schema.dropTable('cmb_environments').execute();
  await db.schema.dropTable('oidc_logins').execute();
}
