/** Every query of users' environments. */
import type { Selectable } from 'kysely';
import type { CmbEnvironmentsTable } from '../../db/cmbcluster-types.ts';
import type { Ctx } from '../context.ts';

export type EnvironmentRow = Selectable<CmbEnvironmentsTable> & {
  user_uuid: string;
  user_tier: string;
  tenant_id: string;
};

/** Every environment on the platform, newest first (platform admins). */
export async function listAllEnvironments(ctx: Ctx, limit: number): Promise<EnvironmentRow[]> {
  return ctx.db
    .selectFrom('cmb_environments')
    .innerJoin('users', 'users.id', 'cmb_environments.user_id')
    .selectAll('cmb_environments')
    .select(['users.uuid as user_uuid', 'users.tier as user_tier'])
    .orderBy('cmb_environments.created_at', 'desc')
    .orderBy('cmb_environments.id', 'desc')
    .limit(limit)
    .execute();
}

export async function insertEnvironment(
  ctx: Ctx,
  row: Selectable<CmbEnvironmentsTable>,
): Promise<void> {
  await ctx.db.insertInto('cmb_environments').values(row).execute();
}

const withOwner = (ctx: Ctx) =>
  ctx.db
    .selectFrom('cmb_environments')
    .innerJoin('users', 'users.id', 'cmb_environments.user_id')
    .selectAll('cmb_environments')
    .select(['users.uuid as user_uuid', 'users.tier as user_tier']);

/** One of the user's environments (another user's is simply not found). */
export async function findUserEnvironment(
  ctx: Ctx,
  userId: number,
  id: string,
): Promise<EnvironmentRow | undefined> {
  return withOwner(ctx)
    .where('cmb_environments.user_id', '=', userId)
    .where('cmb_environments.id', '=', id)
    .executeTakeFirst();
}

/** The user's environments, newest first; only active ones (creating, running) when asked. */
export async function listUserEnvironments(
  ctx: Ctx,
  userId: number,
  options: { activeOnly?: boolean; limit?: number } = {},
): Promise<EnvironmentRow[]> {
  let query = withOwner(ctx).where('cmb_environments.user_id', '=', userId);
  if (options.activeOnly)
    query = query.where('cmb_environments.status', 'in', ['creating', 'running']);
  return query
    .orderBy('cmb_environments.created_at', 'desc')
    .orderBy('cmb_environments.id', 'desc')
    .limit(options.limit ?? 1000)
    .execute();
}

/** Every active environment (the culler, start-up recovery). */
export async function listActiveEnvironments(ctx: Ctx): Promise<EnvironmentRow[]> {
  return withOwner(ctx).where('cmb_environments.status', 'in', ['creating', 'running']).execute();
}

/**
 * Moves an environment to a new status, only from one of `from` (so a stop and a crash
 * racing each other record one outcome). Returns whether it moved.
 */
export async function transition(
  ctx: Ctx,
  id: string,
  from: string[],
  set: Partial<Omit<Selectable<CmbEnvironmentsTable>, 'id'>>,
): Promise<boolean> {
  const result = await ctx.db
    .updateTable('cmb_environments')
    .set(set)
    .where('id', '=', id)
    .where('status', 'in', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Marks the user's active environments as used now (heartbeat, proxied traffic). */
export async function touchEnvironments(
  ctx: Ctx,
  userId: number,
  now: number,
  id?: string,
): Promise<number> {
  let query = ctx.db
    .updateTable('cmb_environments')
    .set({ last_activity_at: now })
    .where('user_id', '=', userId)
    .where('status', 'in', ['creating', 'running']);
  if (id !== undefined) query = query.where('id', '=', id);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Serialises a user's environment creations (the per-tier limit is counted, then an
 * environment inserted): a row lock on PostgreSQL; SQLite's write transactions are
 * already one at a time.
 */
export async function lockUserForEnvironments(ctx: Ctx, userId: number): Promise<void> {
  if (ctx.dialect !== 'postgres') return;
  await ctx.db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
}
