/**
 * Every query of the identity capability. Lookups by credential run before anyone is
 * authenticated; everything else is keyed by the acting user's own id.
 */
import { type Selectable, sql } from 'kysely';
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

export async function findTenant(ctx: Ctx, id: string): Promise<Tenant | undefined> {
  const row = await ctx.db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return (
    row && { id: row.id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at }
  );
}

export type NewUserRow = Omit<UserRow, 'id'>;

export async function insertUser(ctx: Ctx, row: NewUserRow): Promise<UserRow> {
  return ctx.db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Case-insensitive match on username or email. */
export async function findUserByLogin(ctx: Ctx, login: string): Promise<UserRow | undefined> {
  const key = login.toLowerCase();
  return ctx.db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb(sql`lower(username)`, '=', key), eb(sql`lower(email)`, '=', key)]))
    .orderBy('id')
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
    .where((eb) =>
      eb.or([
        eb(sql`lower(username)`, '=', username.toLowerCase()),
        eb(sql`lower(email)`, '=', email.toLowerCase()),
      ]),
    )
    .execute();
}

export async function usernameTaken(ctx: Ctx, username: string): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('users')
    .select('id')
    .where(sql`lower(username)`, '=', username.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

export async function emailTakenByOther(ctx: Ctx, email: string, userId: number): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('users')
    .select('id')
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .where('id', '!=', userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function findUserById(ctx: Ctx, id: number): Promise<UserRow | undefined> {
  return ctx.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findUserByUuid(ctx: Ctx, uuid: string): Promise<UserRow | undefined> {
  return ctx.db.selectFrom('users').selectAll().where('uuid', '=', uuid).executeTakeFirst();
}

export async function findUserByApiKeyHash(ctx: Ctx, hash: string): Promise<UserRow | undefined> {
  return ctx.db.selectFrom('users').selectAll().where('api_key_hash', '=', hash).executeTakeFirst();
}

/**
 * The user behind an access token, and whether the token (or the refresh family it was
 * issued with) has been revoked, in one round trip: this runs on every request.
 */
export async function findUserForToken(
  ctx: Ctx,
  uuid: string,
  jti: string,
  familyId: string | undefined,
): Promise<(UserRow & { revoked: boolean }) | undefined> {
  const row = await ctx.db
    .selectFrom('users')
    .selectAll('users')
    .select((eb) => {
      const deniedToken = eb.exists(
        eb.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti),
      );
      if (!familyId) return deniedToken.as('revoked');
      const revokedFamily = eb.exists(
        eb
          .selectFrom('refresh_tokens')
          .select('id')
          .where('family_id', '=', familyId)
          .where('revoked_at', 'is not', null),
      );
      return eb.or([deniedToken, revokedFamily]).as('revoked');
    })
    .where('uuid', '=', uuid)
    .executeTakeFirst();
  return row && { ...row, revoked: Boolean(row.revoked) };
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

export async function revokeAllRefreshTokensOfUser(
  ctx: Ctx,
  userId: number,
  now: number,
): Promise<void> {
  await ctx.db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Adds an access token's id to the deny-list until it would have expired anyway. */
export async function denyAccessToken(ctx: Ctx, jti: string, expiresAt: number): Promise<void> {
  await ctx.db
    .insertInto('revoked_tokens')
    .values({ jti, expires_at: expiresAt })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

/** Forgets deny-list entries and refresh tokens that have expired on their own. */
export async function purgeExpiredTokens(ctx: Ctx, now: number): Promise<void> {
  await ctx.db.deleteFrom('revoked_tokens').where('expires_at', '<', now).execute();
  await ctx.db.deleteFrom('refresh_tokens').where('expires_at', '<', now).execute();
}
