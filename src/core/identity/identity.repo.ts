/**
 * Every query of the identity capability. Lookups by credential run before anyone is
 * authenticated; everything else is keyed by the acting user's own id.
 */

import { type Selectable, sql } from 'kysely';
import { isUniqueViolation } from '../../db/errors.ts';
import { precompiled } from '../../db/precompiled.ts';
import { RESEAL_BATCH, sealedByOtherKey } from '../../db/sealed-sql.ts';
import type { UsersTable } from '../../db/types.ts';
import type { Ctx, Role, TenantRole, Tier } from '../context.ts';
import type { Tenant, User } from './identity.types.ts';

export type UserRow = Selectable<UsersTable>;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    uuid: row.uuid,
    tenantId: row.tenant_id,
    username: row.username,
    email: row.email,
    fullName: row.full_name,
    role: row.role as Role,
    tenantRole: row.tenant_role as TenantRole,
    tier: row.tier as Tier,
    dailyLimit: row.daily_limit,
    isActive: Boolean(row.is_active),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function insertTenant(ctx: Ctx, tenant: Tenant): Promise<void> {
  await ctx.db
    .insertInto('tenants')
    .values({
      id: tenant.id,
      name: tenant.name,
      created_at: tenant.createdAt,
      updated_at: tenant.updatedAt,
    })
    .execute();
}

export type NewUserRow = Omit<UserRow, 'id'>;

export async function insertUser(ctx: Ctx, row: NewUserRow): Promise<UserRow> {
  return ctx.db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

/**
 * Login names compare case-insensitively through SQL's own `lower()` on both sides, the
 * same expression the unique indexes `users_username_lower` and `users_email_lower` are
 * built on: whatever an engine's `lower()` does (ASCII only on SQLite, the collation's
 * rules on PostgreSQL), a lookup can match at most the one row its index allows.
 */
const sameName = (column: 'username' | 'email', value: string) =>
  sql<boolean>`lower(${sql.ref(column)}) = lower(${value})`;

/**
 * The one user a login name names. Emails always contain `@` and usernames never do
 * (rows from before that rule keep theirs, but an `@` login is only ever an email), so
 * a username can never shadow another account's email.
 */
export async function findUserByLogin(ctx: Ctx, login: string): Promise<UserRow | undefined> {
  return ctx.db
    .selectFrom('users')
    .selectAll()
    .where(sameName(login.includes('@') ? 'email' : 'username', login))
    .executeTakeFirst();
}

export async function findUserByUsernameOrEmail(
  ctx: Ctx,
  username: string,
  email: string,
): Promise<Pick<UserRow, 'username' | 'email'>[]> {
  return ctx.db
    .selectFrom('users')
    .select(['username', 'email'])
    .where((eb) => eb.or([sameName('username', username), sameName('email', email)]))
    .execute();
}

export async function usernameTaken(ctx: Ctx, username: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('users')
    .select('id')
    .where(sameName('username', username))
    .executeTakeFirst();
  return row !== undefined;
}

export async function emailTakenByOther(ctx: Ctx, email: string, userId: number): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('users')
    .select('id')
    .where(sameName('email', email))
    .where('id', '!=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

// Task creation reads its user in its transaction: compiled once (precompiled.ts).
const userById = precompiled((db, id: number) =>
  db.selectFrom('users').selectAll().where('id', '=', id),
);

export async function findUserById(ctx: Ctx, id: number): Promise<UserRow | undefined> {
  const [row] = await userById(ctx.db, ctx.dialect, id);
  return row;
}

// The two lookups every authenticated request runs are compiled once (precompiled.ts).
const userByApiKeyHash = precompiled((db, hash: string) =>
  db.selectFrom('users').selectAll().where('api_key_hash', '=', hash),
);

export async function findUserByApiKeyHash(ctx: Ctx, hash: string): Promise<UserRow | undefined> {
  return (await userByApiKeyHash(ctx.db, ctx.dialect, hash))[0];
}

const userForToken = precompiled((db, uuid: string, jti: string, sessionId: string) =>
  db
    .selectFrom('users')
    .selectAll('users')
    .select((eb) => {
      const denied = eb.exists(
        eb.selectFrom('revoked_tokens').select('jti').where('jti', 'in', [jti, sessionId]),
      );
      const revokedFamily = eb.exists(
        eb
          .selectFrom('refresh_tokens')
          .select('id')
          .where('family_id', '=', sessionId)
          .where('revoked_at', 'is not', null),
      );
      return eb.or([denied, revokedFamily]).as('revoked');
    })
    .where('uuid', '=', uuid),
);

/**
 * The user behind an access token, and whether the token, its session (every token of
 * one login, refreshed or reissued, shares it) or the refresh family of that session has
 * been revoked, in one round trip of primary-key and indexed probes: this runs on every
 * request and on every WebSocket re-check.
 */
export async function findUserForToken(
  ctx: Ctx,
  uuid: string,
  jti: string,
  sessionId: string,
): Promise<(UserRow & { revoked: boolean }) | undefined> {
  const [row] = await userForToken(ctx.db, ctx.dialect, uuid, jti, sessionId);
  if (!row) return undefined;
  // The row is this call's own: made boolean in place rather than copied (every request).
  row.revoked = Boolean(row.revoked);
  return row as UserRow & { revoked: boolean };
}

export async function updateUserRow(
  ctx: Ctx,
  id: number,
  changes: Partial<Omit<UserRow, 'id' | 'uuid' | 'created_at'>>,
): Promise<UserRow | undefined> {
  return ctx.db
    .updateTable('users')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function listTenantUsers(ctx: Ctx, tenantId: string): Promise<UserRow[]> {
  return ctx.db
    .selectFrom('users')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();
}

/** Every user of the platform, oldest first (platform admins). */
export async function listAllUsers(ctx: Ctx, limit: number): Promise<UserRow[]> {
  return ctx.db.selectFrom('users').selectAll().orderBy('id').limit(limit).execute();
}

export async function insertRefreshToken(
  ctx: Ctx,
  row: {
    id: string;
    userId: number;
    familyId: string;
    tokenHash: string;
    expiresAt: number;
    createdAt: number;
  },
): Promise<void> {
  await ctx.db
    .insertInto('refresh_tokens')
    .values({
      id: row.id,
      user_id: row.userId,
      family_id: row.familyId,
      token_hash: row.tokenHash,
      expires_at: row.expiresAt,
      created_at: row.createdAt,
      rotated_at: null,
      revoked_at: null,
    })
    .execute();
}

export async function findRefreshToken(ctx: Ctx, tokenHash: string) {
  return ctx.db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks a token used; false when another request rotated it first (a replay). */
export async function markRefreshTokenRotated(ctx: Ctx, id: string, now: number): Promise<boolean> {
  const result = await ctx.db
    .updateTable('refresh_tokens')
    .set({ rotated_at: now })
    .where('id', '=', id)
    .where('rotated_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function revokeRefreshFamily(ctx: Ctx, familyId: string, now: number): Promise<void> {
  await ctx.db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

/**
 * Adds an id to the deny-list until `expiresAt`: an access token's `jti`, or a session
 * id (`fam`), which denies every token carrying it. Both are UUIDv7, so they never clash.
 */
export async function denyTokenId(ctx: Ctx, id: string, expiresAt: number): Promise<void> {
  await ctx.db
    .insertInto('revoked_tokens')
    .values({ jti: id, expires_at: expiresAt })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

/** Forgets deny-list entries and refresh tokens that have expired on their own. */
export async function purgeExpiredTokens(ctx: Ctx, now: number): Promise<void> {
  await ctx.db.deleteFrom('revoked_tokens').where('expires_at', '<', now).execute();
  await ctx.db.deleteFrom('refresh_tokens').where('expires_at', '<', now).execute();
}

/** Whether an insert or update failed on a unique index (two writers raced for one name). */
export function isDuplicate(error: unknown): boolean {
  return isUniqueViolation(error);
}

/** Users whose API key copy is not sealed by the key `keyId`, in id order after `afterId`. */
export function listApiKeysSealedByOtherKey(ctx: Ctx, keyId: string, afterId: number) {
  return ctx.db
    .selectFrom('users')
    .select(['id', 'uuid', 'api_key_ciphertext as sealed'])
    .where('api_key_ciphertext', 'is not', null)
    .where(sealedByOtherKey('api_key_ciphertext', keyId))
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(RESEAL_BATCH)
    .execute();
}

/** Replaces a user's sealed API key copy unless it changed since it was read (a regenerated key wins). */
export async function replaceSealedApiKey(
  ctx: Ctx,
  id: number,
  from: string,
  to: string,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('users')
    .set({ api_key_ciphertext: to })
    .where('id', '=', id)
    .where('api_key_ciphertext', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
