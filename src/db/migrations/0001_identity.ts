import { type Kysely, sql } from 'kysely';
import { columnTypes } from '../dialect.ts';

/** Tenants, users, refresh-token families and the access-token deny-list. */
export async function up(db: Kysely<any>): Promise<void> {
  const t = columnTypes(db);

  await db.schema
    .createTable('tenants')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', t.serialPk)
    .addColumn('uuid', t.id, (c) => c.notNull().unique())
    .addColumn('tenant_id', t.id, (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('username', t.text, (c) => c.notNull())
    .addColumn('email', t.text, (c) => c.notNull())
    .addColumn('full_name', t.text)
    .addColumn('password_hash', t.text)
    .addColumn('role', t.text, (c) => c.notNull().defaultTo('user'))
    .addColumn('tenant_role', t.text, (c) => c.notNull().defaultTo('member'))
    .addColumn('tier', t.text, (c) => c.notNull().defaultTo('free'))
    .addColumn('daily_limit', t.int, (c) => c.notNull())
    .addColumn('is_active', t.bool, (c) => c.notNull().defaultTo(1))
    .addColumn('api_key_hash', t.text, (c) => c.unique())
    .addColumn('api_key_ciphertext', t.text)
    .addColumn('oidc_issuer', t.text)
    .addColumn('oidc_subject', t.text)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute();
  // Unique regardless of case: "Alice" and "alice" are one account.
  await sql`create unique index users_username_lower on users (lower(username))`.execute(db);
  await sql`create unique index users_email_lower on users (lower(email))`.execute(db);
  await sql`create unique index users_oidc on users (oidc_issuer, oidc_subject)`.execute(db);
  await db.schema.createIndex('users_tenant').on('users').column('tenant_id').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('user_id', t.int, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('family_id', t.id, (c) => c.notNull())
    .addColumn('token_hash', t.text, (c) => c.notNull().unique())
    .addColumn('expires_at', t.time, (c) => c.notNull())
    .addColumn('rotated_at', t.time)
    .addColumn('revoked_at', t.time)
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('refresh_tokens_family')
    .on('refresh_tokens')
    .column('family_id')
    .execute();
  await db.schema
    .createIndex('refresh_tokens_user')
    .on('refresh_tokens')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('revoked_tokens')
    .addColumn('jti', t.id, (c) => c.primaryKey())
    .addColumn('expires_at', t.time, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('revoked_tokens_expiry')
    .on('revoked_tokens')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['revoked_tokens', 'refresh_tokens', 'users', 'tenants']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
