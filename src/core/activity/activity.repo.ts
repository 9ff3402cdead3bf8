/** Every query of the activity log. */
import type { Selectable } from 'kysely';
import type { CmbActivityTable } from '../../db/cmbcluster-types.ts';
import type { Ctx } from '../context.ts';

export type ActivityRow = Selectable<CmbActivityTable> & { user_uuid: string };

export async function insertActivity(ctx: Ctx, row: Selectable<CmbActivityTable>): Promise<void> {
  await ctx.db.insertInto('cmb_activity').values(row).execute();
}

/** Newest first; one user's when `userId` is given, everyone's otherwise (admin). */
export async function listActivity(
  ctx: Ctx,
  filter: { userId?: number; userUuid?: string; limit: number },
): Promise<ActivityRow[]> {
  let query = ctx.db
    .selectFrom('cmb_activity')
    .innerJoin('users', 'users.id', 'cmb_activity.user_id')
    .selectAll('cmb_activity')
    .select('users.uuid as user_uuid');
  if (filter.userId !== undefined) query = query.where('cmb_activity.user_id', '=', filter.userId);
  if (filter.userUuid !== undefined) query = query.where('users.uuid', '=', filter.userUuid);
  return query
    .orderBy('cmb_activity.created_at', 'desc')
    .orderBy('cmb_activity.id', 'desc')
    .limit(filter.limit)
    .execute();
}
