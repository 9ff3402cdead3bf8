/**
 * The worker registry in the database: each worker process's row (its slots, its
 * heartbeat), what "active consumers" counts, and the pruning of long-gone workers.
 */
import type { Ctx } from '../context.ts';

export async function registerWorker(
  ctx: Ctx,
  worker: { id: string; host: string; pid: number; concurrency: number; now: number },
): Promise<void> {
  await ctx.db
    .insertInto('workers')
    .values({
      id: worker.id,
      host: worker.host,
      pid: worker.pid,
      concurrency: worker.concurrency,
      started_at: worker.now,
      heartbeat_at: worker.now,
      stopped_at: null,
    })
    .execute();
}

export async function heartbeatWorker(ctx: Ctx, id: string, now: number): Promise<void> {
  await ctx.db.updateTable('workers').set({ heartbeat_at: now }).where('id', '=', id).execute();
}

export async function setWorkerConcurrency(
  ctx: Ctx,
  id: string,
  concurrency: number,
): Promise<void> {
  await ctx.db.updateTable('workers').set({ concurrency }).where('id', '=', id).execute();
}

export async function stopWorker(ctx: Ctx, id: string, now: number): Promise<void> {
  await ctx.db
    .updateTable('workers')
    .set({ stopped_at: now, heartbeat_at: now })
    .where('id', '=', id)
    .execute();
}

/** Job slots of workers alive recently (the specs' "active consumers"). */
export async function countActiveConsumers(
  ctx: Ctx,
  aliveSince: number,
): Promise<{ workers: number; slots: number }> {
  const row = await ctx.db
    .selectFrom('workers')
    .select((eb) => [
      eb.fn.countAll<number>().as('workers'),
      eb.fn.sum<number>('concurrency').as('slots'),
    ])
    .where('stopped_at', 'is', null)
    .where('heartbeat_at', '>=', aliveSince)
    .executeTakeFirst();
  return { workers: Number(row?.workers ?? 0), slots: Number(row?.slots ?? 0) };
}

/** Forgets workers that stopped (or died) long ago. */
export async function pruneWorkers(ctx: Ctx, before: number): Promise<void> {
  await ctx.db.deleteFrom('workers').where('heartbeat_at', '<', before).execute();
}
