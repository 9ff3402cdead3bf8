/** Every query of the tasks capability, scoped to the acting user or tenant. */
import { type Selectable, sql } from 'kysely';
import { columnsOf, precompiledRow } from '../../db/precompiled.ts';
import type { TasksTable } from '../../db/types.ts';
import type { Ctx, UserActor } from '../context.ts';
import type { Lane } from '../jobs/jobs.types.ts';
import type { Task, TaskListQuery, TaskPriority, TaskScope, TaskStatus } from './tasks.types.ts';

export type TaskRow = Selectable<TasksTable>;

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    kind: row.kind,
    title: row.title,
    prompt: row.prompt,
    description: row.description,
    toolset: JSON.parse(row.toolset),
    parameters: JSON.parse(row.parameters),
    metadata: JSON.parse(row.metadata),
    priority: row.priority as TaskPriority,
    lane: row.lane as Lane,
    scheduledAt: row.scheduled_at,
    dueDate: row.due_date,
    status: row.status as TaskStatus,
    progress: row.progress,
    result: row.result === null ? null : JSON.parse(row.result),
    errorMessage: row.error_message,
    attempts: row.attempts,
    retryCount: row.retry_count,
    jobId: row.job_id,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

// Every task creation runs it: compiled once (db/precompiled.ts).
const insertTaskRow = precompiledRow(
  columnsOf<TaskRow>({
    id: true,
    tenant_id: true,
    user_id: true,
    kind: true,
    title: true,
    prompt: true,
    description: true,
    toolset: true,
    parameters: true,
    metadata: true,
    priority: true,
    lane: true,
    scheduled_at: true,
    due_date: true,
    status: true,
    progress: true,
    result: true,
    error_message: true,
    attempts: true,
    retry_count: true,
    job_id: true,
    source: true,
    created_at: true,
    updated_at: true,
    started_at: true,
    completed_at: true,
  }),
  (db, row) => db.insertInto('tasks').values(row),
);

export async function insertTask(ctx: Ctx, row: TaskRow): Promise<Task> {
  await insertTaskRow(ctx.db, ctx.dialect, row);
  return toTask(row);
}

function scoped(ctx: Ctx, actor: UserActor, scope: TaskScope) {
  const query = ctx.db.selectFrom('tasks');
  return scope === 'user'
    ? query.where('user_id', '=', actor.userId)
    : query.where('tenant_id', '=', actor.tenantId);
}

export async function findTask(
  ctx: Ctx,
  actor: UserActor,
  id: string,
  scope: TaskScope,
): Promise<Task | undefined> {
  const row = await scoped(ctx, actor, scope).selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTask(row);
}

/** For workers: a task by id, whoever owns it. */
export async function findTaskById(ctx: Ctx, id: string): Promise<Task | undefined> {
  const row = await ctx.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toTask(row);
}

export async function listTasks(
  ctx: Ctx,
  actor: UserActor,
  query: TaskListQuery,
): Promise<{ rows: Task[]; total: number }> {
  let base = scoped(ctx, actor, query.scope);
  if (query.status?.length) base = base.where('status', 'in', query.status);
  if (query.priority?.length) base = base.where('priority', 'in', query.priority);
  if (query.kind?.length) base = base.where('kind', 'in', query.kind);
  if (query.createdFrom !== undefined) base = base.where('created_at', '>=', query.createdFrom);
  if (query.createdTo !== undefined) base = base.where('created_at', '<=', query.createdTo);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .offset(query.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirst(),
  ]);
  return { rows: rows.map(toTask), total: Number(count?.total ?? 0) };
}

/**
 * Updates a task only while its status is one of `from` (so a cancelled task is never
 * overwritten by a late result). Returns the updated task, or undefined.
 */
export async function updateTaskRow(
  ctx: Ctx,
  id: string,
  changes: Partial<Omit<TaskRow, 'id' | 'tenant_id' | 'user_id' | 'created_at'>>,
  from?: readonly TaskStatus[],
): Promise<Task | undefined> {
  let query = ctx.db.updateTable('tasks').set(changes).where('id', '=', id);
  if (from) query = query.where('status', 'in', from);
  const row = await query.returningAll().executeTakeFirst();
  return row && toTask(row);
}

export async function deleteTaskRow(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('tasks').where('id', '=', id).execute();
}

/** Task counts by status for a user (or tenant), optionally within a creation window. */
export async function countByStatus(
  ctx: Ctx,
  actor: UserActor,
  scope: TaskScope,
  window: { from?: number; to?: number } = {},
): Promise<Record<TaskStatus, number>> {
  let query = scoped(ctx, actor, scope)
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status');
  if (window.from !== undefined) query = query.where('created_at', '>=', window.from);
  if (window.to !== undefined) query = query.where('created_at', '<=', window.to);
  const rows = await query.execute();
  const counts: Record<TaskStatus, number> = {
    queued: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
  };
  for (const row of rows) counts[row.status as TaskStatus] = Number(row.n);
  return counts;
}

/** Tasks waiting and running per lane, across everyone (the queue's public status). */
export async function countByLane(
  ctx: Ctx,
): Promise<{ lane: Lane; status: TaskStatus; n: number }[]> {
  const rows = await ctx.db
    .selectFrom('tasks')
    .select(['lane', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'in', ['queued', 'running'])
    .groupBy(['lane', 'status'])
    .execute();
  return rows.map((r) => ({
    lane: r.lane as Lane,
    status: r.status as TaskStatus,
    n: Number(r.n),
  }));
}

/** One row per UTC day with tasks created that day, by status (analytics). */
export async function countByDay(
  ctx: Ctx,
  actor: UserActor,
  scope: TaskScope,
  from: number,
  to: number,
): Promise<{ day: number; status: TaskStatus; n: number }[]> {
  const day = sql<number>`(created_at / 86400000)`;
  const rows = await scoped(ctx, actor, scope)
    .select([day.as('day'), 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .groupBy([day, 'status'])
    .execute();
  return rows.map((r) => ({
    day: Math.floor(Number(r.day)),
    status: r.status as TaskStatus,
    n: Number(r.n),
  }));
}
