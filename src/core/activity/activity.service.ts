/**
 * The activity log: what a user (or the platform on their behalf: the culler) did, with
 * whether it worked. Written by the capabilities that do the work, read by the owner
 * and by admins.
 */
import type { Ctx } from '../context.ts';
import { forbidden } from '../errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import * as repo from './activity.repo.ts';
import type { Activity, ActivityAction } from './activity.types.ts';

export interface ActivityEntry {
  userId: number;
  tenantId: string;
  action: ActivityAction;
  details: string;
  status?: Activity['status'];
}

/** Appends to a user's log (in the caller's transaction when there is one). */
export async function recordActivity(ctx: Ctx, entry: ActivityEntry): Promise<void> {
  const now = ctx.clock.now();
  await repo.insertActivity(ctx, {
    id: uuidv7(now),
    tenant_id: entry.tenantId,
    user_id: entry.userId,
    action: entry.action,
    details: entry.details,
    status: entry.status ?? 'success',
    created_at: now,
  });
}

/** The acting user's own log, newest first. */
export async function listMyActivity(ctx: Ctx, limit: number): Promise<Activity[]> {
  if (ctx.actor.kind !== 'user') throw forbidden();
  const rows = await repo.listActivity(ctx, { userId: ctx.actor.userId, limit });
  return rows.map(toActivity);
}

/** Everyone's log (optionally one user's, by UUID), for platform admins only. */
export async function listAllActivity(
  ctx: Ctx,
  filter: { limit: number; userUuid?: string },
): Promise<Activity[]> {
  if (ctx.actor.kind !== 'user' || ctx.actor.role !== 'admin')
    throw forbidden('Admin access required');
  const rows = await repo.listActivity(ctx, filter);
  return rows.map(toActivity);
}

function toActivity(row: repo.ActivityRow): Activity {
  return {
    id: row.id,
    userUuid: row.user_uuid,
    action: row.action as ActivityAction,
    details: row.details,
    status: row.status as Activity['status'],
    createdAt: row.created_at,
  };
}
