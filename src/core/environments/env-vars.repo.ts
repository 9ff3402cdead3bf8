/** Every query of users' environment variables (values are sealed before they get here). */
import type { Selectable } from 'kysely';
import type { CmbEnvVarsTable } from '../../db/cmbcluster-types.ts';
import { RESEAL_BATCH, sealedByOtherKey } from '../../db/sealed-sql.ts';
import type { Ctx } from '../context.ts';

export type EnvVarRow = Selectable<CmbEnvVarsTable>;

/** Inserts or replaces a variable; the first `created_at` is kept. */
export async function upsertEnvVar(ctx: Ctx, row: EnvVarRow): Promise<EnvVarRow> {
  return ctx.db
    .insertInto('cmb_env_vars')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['user_id', 'key']).doUpdateSet({
        value_sealed: row.value_sealed,
        updated_at: row.updated_at,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function listEnvVars(ctx: Ctx, userId: number): Promise<EnvVarRow[]> {
  return ctx.db
    .selectFrom('cmb_env_vars')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('key')
    .execute();
}

export async function deleteEnvVar(ctx: Ctx, userId: number, key: string): Promise<boolean> {
  const result = await ctx.db
    .deleteFrom('cmb_env_vars')
    .where('user_id', '=', userId)
    .where('key', '=', key)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/**
 * Variables whose value is not sealed by the key `keyId`, with their owner's uuid (the
 * value is bound to it), in (user, key) order after `after`.
 */
export function listValuesSealedByOtherKey(
  ctx: Ctx,
  keyId: string,
  after: { userId: number; key: string },
) {
  return ctx.db
    .selectFrom('cmb_env_vars as v')
    .innerJoin('users', 'users.id', 'v.user_id')
    .select(['v.user_id', 'v.key', 'v.value_sealed as sealed', 'users.uuid'])
    .where(sealedByOtherKey('v.value_sealed', keyId))
    .where((eb) =>
      eb.or([
        eb('v.user_id', '>', after.userId),
        eb.and([eb('v.user_id', '=', after.userId), eb('v.key', '>', after.key)]),
      ]),
    )
    .orderBy('v.user_id')
    .orderBy('v.key')
    .limit(RESEAL_BATCH)
    .execute();
}

/** Replaces a sealed value unless it changed since it was read (a new value wins). */
export async function replaceSealedValue(
  ctx: Ctx,
  ref: { userId: number; key: string },
  from: string,
  to: string,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('cmb_env_vars')
    .set({ value_sealed: to })
    .where('user_id', '=', ref.userId)
    .where('key', '=', ref.key)
    .where('value_sealed', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
