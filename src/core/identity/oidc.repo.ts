/** Queries of OpenID Connect sign-in: logins in flight, and users by their provider identity. */
import type { Selectable } from 'kysely';
import type { OidcLoginsTable } from '../../db/cmbcluster-types.ts';
import type { Ctx } from '../context.ts';
import type { UserRow } from './identity.repo.ts';

export type OidcLoginRow = Selectable<OidcLoginsTable>;

export async function insertOidcLogin(ctx: Ctx, row: OidcLoginRow): Promise<void> {
  await ctx.db.insertInto('oidc_logins').values(row).execute();
}

/**
 * Takes a login in flight by its state's hash: deleted in the same statement, so a
 * state works once even when two callbacks race (only one delete returns the row).
 */
export async function takeOidcLogin(
  ctx: Ctx,
  stateHash: string,
): Promise<OidcLoginRow | undefined> {
  return ctx.db
    .deleteFrom('oidc_logins')
    .where('state_hash', '=', stateHash)
    .returningAll()
    .executeTakeFirst();
}

/** Forgets logins that were started and never finished. */
export async function purgeExpiredOidcLogins(ctx: Ctx, now: number): Promise<void> {
  await ctx.db.deleteFrom('oidc_logins').where('expires_at', '<', now).execute();
}

export async function findUserByOidc(
  ctx: Ctx,
  issuer: string,
  subject: string,
): Promise<UserRow | undefined> {
  return ctx.db
    .selectFrom('users')
    .selectAll()
    .where('oidc_issuer', '=', issuer)
    .where('oidc_subject', '=', subject)
    .executeTakeFirst();
}

/** Links a user to a provider identity, only if the row has none yet (no silent re-linking). */
export async function linkOidcIdentity(
  ctx: Ctx,
  userId: number,
  identity: { issuer: string; subject: string; now: number },
): Promise<UserRow | undefined> {
  return ctx.db
    .updateTable('users')
    .set({ oidc_issuer: identity.issuer, oidc_subject: identity.subject, updated_at: identity.now })
    .where('id', '=', userId)
    .where('oidc_subject', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
