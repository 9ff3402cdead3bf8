/**
 * Every query of the deploys capability: users' Coolify credentials (the token arrives
 * here sealed) and the record of deployments. Scoped to the owner by user id.
 */
import type { Insertable, Selectable } from 'kysely';
import type { CoolifyCredentialsTable, CoolifyDeploymentsTable } from '../../db/deploys-types.ts';
import { RESEAL_BATCH, sealedByOtherKey } from '../../db/sealed-sql.ts';
import type { Ctx } from '../context.ts';

export type CredentialsRow = Selectable<CoolifyCredentialsTable>;

/** Inserts or replaces a user's credentials; the first `created_at` is kept. */
export async function upsertCredentials(ctx: Ctx, row: CredentialsRow): Promise<void> {
  await ctx.db
    .insertInto('coolify_credentials')
    .values(row)
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        tenant_id: row.tenant_id,
        base_url: row.base_url,
        token_sealed: row.token_sealed,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

export function findCredentials(ctx: Ctx, userId: number): Promise<CredentialsRow | undefined> {
  return ctx.db
    .selectFrom('coolify_credentials')
    .selectAll()
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function deleteCredentials(ctx: Ctx, userId: number): Promise<boolean> {
  const result = await ctx.db
    .deleteFrom('coolify_credentials')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function insertDeployment(
  ctx: Ctx,
  row: Insertable<CoolifyDeploymentsTable>,
): Promise<void> {
  await ctx.db.insertInto('coolify_deployments').values(row).execute();
}

/**
 * Tokens not sealed by the key `keyId`, with what they are bound to (the owner's uuid
 * and the base URL), in user order after `after`.
 */
export function listTokensSealedByOtherKey(ctx: Ctx, keyId: string, after: number) {
  return ctx.db
    .selectFrom('coolify_credentials as c')
    .innerJoin('users', 'users.id', 'c.user_id')
    .select(['c.user_id', 'c.base_url', 'c.token_sealed as sealed', 'users.uuid'])
    .where(sealedByOtherKey('c.token_sealed', keyId))
    .where('c.user_id', '>', after)
    .orderBy('c.user_id')
    .limit(RESEAL_BATCH)
    .execute();
}

/** Replaces a sealed token unless it changed since it was read (new credentials win). */
export async function replaceSealedToken(
  ctx: Ctx,
  userId: number,
  from: string,
  to: string,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('coolify_credentials')
    .set({ token_sealed: to })
    .where('user_id', '=', userId)
    .where('token_sealed', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
