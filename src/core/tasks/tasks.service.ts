/**
 * Task use cases: create (quota, task row, job and event in one transaction), list,
 * get, update, cancel, delete, retry, and queue statistics.
 */
import { type Ctx, type Tier, type UserActor, withTransaction } from '../context.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { recordEvent } from '../events/outbox.ts';
import { requireSandbox } from '../execution/availability.ts';
import * as filesRepo from '../files/files.repo.ts';
import { recentRow } from '../identity/authenticated-row.ts';
import * as usersRepo from '../identity/identity.repo.ts';
import { requireUser } from '../identity/users.service.ts';
import { laneForTier } from '../jobs/lanes.ts';
import { cancelJob, enqueueJob, queueStats, rescheduleJob } from '../jobs/queue.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { consumeDailyQuota } from './quota.ts';
import { runTaskJob } from './run-task.job.ts';
import { runnerFor, taskKinds } from './runners/registry.ts';
import type { TaskRunner } from './runners/runner.types.ts';
import { eventForStatus, recordTaskEvent } from './task-events.ts';
import * as repo from './tasks.repo.ts';
import {
  type CreateTaskInput,
  type PendingTaskChanges,
  PRIORITY_RANK,
  type Task,
  type TaskListQuery,
  type TaskPage,
  type TaskScope,
  TERMINAL_STATUSES,
  type UpdateTaskInput,
} from './tasks.types.ts';

const MAX_JSON_FIELD = 64 * 1024;

/**
 * Creates a task and its job. Refused at once (never accepted and left to fail) when
 * its kind cannot run here: unknown kind, no sandbox, no AI provider, bad parameters.
 */
export async function createTask(ctx: Ctx, input: CreateTaskInput): Promise<Task> {
  const actor = requireUser(ctx);
  const runner = runnerFor(ctx, input.kind);
  if (!runner)
    throw invalid(
      'kind',
      `Unknown task kind "${input.kind}"; available: ${taskKinds(ctx).join(', ')}`,
      'type_error.enum',
    );
  if (runner.needsSandbox) requireSandbox(ctx, `${input.kind} tasks`);
  checkJsonSize('parameters', input.parameters);
  checkJsonSize('metadata', input.metadata);
  await runner.validate(ctx, input);

  return insertTask(ctx, actor, runner, input).catch(async (error: unknown) => {
    if (error instanceof DomainError && error.code === 'quota_exceeded') {
      // Recorded after the failed transaction rolled back, so it is not lost with it.
      await recordEvent(ctx, {
        type: 'usage.quota_exceeded',
        tenantId: actor.tenantId,
        userId: actor.userId,
        payload: { user_id: actor.userUuid, ...(error.details ?? {}) },
      }).catch((e) => ctx.log.warn({ err: e }, 'could not record usage.quota_exceeded'));
    }
    throw error;
  });
}

async function insertTask(
  ctx: Ctx,
  actor: UserActor,
  runner: TaskRunner,
  input: CreateTaskInput,
): Promise<Task> {
  return withTransaction(ctx, async (tx) => {
    // The row this request was just authenticated with, when there is one (no second read).
    const user =
      recentRow(actor, tx.clock.now()) ?? (await usersRepo.findUserById(tx, actor.userId));
    if (!user) throw notFound('User');
    const now = tx.clock.now();
    const id = uuidv7(now);
    const lane = laneForTier(user.tier as Tier);
    const priority = input.priority ?? 'normal';
    // A manual task is tracked, not run: it waits for a client to set its outcome.
    const job = runner.manual
      ? undefined
      : await enqueueJob(
          tx,
          runTaskJob,
          { taskId: id },
          {
            tenantId: user.tenant_id,
            lane,
            priority: PRIORITY_RANK[priority],
            runAt: input.scheduledAt && input.scheduledAt > now ? input.scheduledAt : now,
          },
        );
    const task = await repo.insertTask(tx, {
      id,
      tenant_id: user.tenant_id,
      user_id: user.id,
      kind: input.kind,
      title: input.title ?? null,
      prompt: input.prompt ?? null,
      description: input.description ?? null,
      toolset: JSON.stringify(input.toolset ?? []),
      parameters: JSON.stringify(input.parameters ?? {}),
      metadata: JSON.stringify(input.metadata ?? {}),
      priority,
      lane,
      scheduled_at: input.scheduledAt ?? null,
      due_date: input.dueDate ?? null,
      status: 'queued',
      progress: 0,
      result: null,
      error_message: null,
      attempts: 0,
      retry_count: 0,
      job_id: job?.id ?? null,
      source: input.source,
      created_at: now,
      updated_at: now,
      started_at: null,
      completed_at: null,
    });
    await recordTaskEvent(tx, task, 'task.created', { title: task.title });
    // Last: the quota row is every create of this user's hot spot, and its lock (on
    // PostgreSQL) is held from this statement to the commit, not through the inserts
    // before it. Over the limit, the whole transaction rolls back.
    await consumeDailyQuota(tx, user.id, user.daily_limit);
    return task;
  });
}

/** A task the caller may see, or 404 (another user's or tenant's task does not exist for them). */
export async function getTask(ctx: Ctx, id: string, scope: TaskScope = 'user'): Promise<Task> {
  const actor = requireUser(ctx);
  if (!isUuid(id)) throw notFound('Task');
  const task = await repo.findTask(ctx, actor, id, scope);
  if (!task) throw notFound('Task');
  return task;
}

export async function listTasks(ctx: Ctx, query: TaskListQuery): Promise<TaskPage> {
  const actor = requireUser(ctx);
  const { rows, total } = await repo.listTasks(ctx, actor, query);
  return { items: rows, total };
}

/**
 * Updates a task. Descriptive fields change freely; a new status moves the task (to a
 * terminal status: its job is cancelled; back to queued from a terminal one: it is
 * retried).
 */
export async function updateTask(
  ctx: Ctx,
  id: string,
  changes: UpdateTaskInput,
  scope: TaskScope = 'user',
): Promise<Task> {
  const actor = requireUser(ctx);
  checkJsonSize('metadata', changes.metadata);
  if (changes.status === 'queued') {
    const current = await getTask(ctx, id, scope);
    if (TERMINAL_STATUSES.includes(current.status)) {
      const rerun = await retryTask(ctx, id, scope, { rerunSucceeded: true });
      const { status: _, ...rest } = changes;
      return Object.keys(rest).some((k) => rest[k as keyof typeof rest] !== undefined)
        ? updateTask(ctx, rerun.id, rest, scope)
        : rerun;
    }
    // Queued or running already: "queued" asks for nothing new.
    changes = { ...changes, status: undefined };
  }
  return withTransaction(ctx, async (tx) => {
    const current = await repo.findTask(tx, actor, isUuid(id) ? id : '', scope);
    if (!current) throw notFound('Task');
    const now = tx.clock.now();
    const set: Parameters<typeof repo.updateTaskRow>[2] = { updated_at: now };
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.prompt !== undefined) set.prompt = changes.prompt;
    if (changes.priority !== undefined) set.priority = changes.priority;
    if (changes.metadata !== undefined) set.metadata = JSON.stringify(changes.metadata);
    if (changes.dueDate !== undefined) set.due_date = changes.dueDate;
    if (changes.result !== undefined) set.result = JSON.stringify(changes.result);
    if (changes.errorMessage !== undefined) set.error_message = changes.errorMessage;
    if (changes.startedAt !== undefined) set.started_at = changes.startedAt;
    if (changes.completedAt !== undefined) set.completed_at = changes.completedAt;
    const statusChanged = changes.status !== undefined && changes.status !== current.status;
    if (statusChanged) {
      set.status = changes.status;
      if (TERMINAL_STATUSES.includes(changes.status!)) {
        set.completed_at ??= now;
        if (current.jobId && !TERMINAL_STATUSES.includes(current.status))
          await cancelJob(tx, current.jobId);
      }
      if (changes.status === 'running') set.started_at ??= current.startedAt ?? now;
    }
    const updated = await repo.updateTaskRow(tx, current.id, set);
    if (!updated) throw notFound('Task');
    await recordTaskEvent(
      tx,
      updated,
      statusChanged ? eventForStatus(updated.status) : 'task.updated',
    );
    return updated;
  });
}

/**
 * Edits a task that has not started: its title, description, priority and start time.
 * The waiting job moves with it (new priority, new run_at), so a raised priority
 * overtakes queued work and a new schedule holds across restarts. Once a worker has
 * claimed it (or it finished) the change is a conflict.
 */
export async function editPendingTask(
  ctx: Ctx,
  id: string,
  changes: PendingTaskChanges,
  scope: TaskScope = 'user',
): Promise<Task> {
  const actor = requireUser(ctx);
  return withTransaction(ctx, async (tx) => {
    const current = await repo.findTask(tx, actor, isUuid(id) ? id : '', scope);
    if (!current) throw notFound('Task');
    const notStarted = () =>
      new DomainError(
        'conflict',
        `Only tasks that have not started can be changed (this one is ${current.status})`,
      );
    if (current.status !== 'queued') throw notStarted();
    const now = tx.clock.now();
    const set: Parameters<typeof repo.updateTaskRow>[2] = { updated_at: now };
    if (changes.title !== undefined) set.title = changes.title;
    if (changes.description !== undefined) set.description = changes.description;
    if (changes.priority !== undefined) set.priority = changes.priority;
    if (changes.scheduledAt !== undefined) set.scheduled_at = changes.scheduledAt;
    const moves = changes.priority !== undefined || changes.scheduledAt !== undefined;
    if (current.jobId && moves) {
      const moved = await rescheduleJob(tx, current.jobId, {
        priority: changes.priority !== undefined ? PRIORITY_RANK[changes.priority] : undefined,
        runAt:
          changes.scheduledAt !== undefined ? Math.max(changes.scheduledAt ?? now, now) : undefined,
      });
      if (!moved) throw notStarted();
    }
    const updated = await repo.updateTaskRow(tx, current.id, set, ['queued']);
    if (!updated) throw notStarted();
    await recordTaskEvent(tx, updated, 'task.updated');
    return updated;
  });
}

/** Cancels a queued or running task (a running one's sandbox is killed). A finished task is returned as is. */
export async function cancelTask(ctx: Ctx, id: string, scope: TaskScope = 'user'): Promise<Task> {
  const actor = requireUser(ctx);
  return withTransaction(ctx, async (tx) => {
    const current = await repo.findTask(tx, actor, isUuid(id) ? id : '', scope);
    if (!current) throw notFound('Task');
    if (TERMINAL_STATUSES.includes(current.status)) return current;
    // The job row first, then the task's: the worker locks them in that order
    // (its lease, then the task it settles), so the reverse order could deadlock.
    if (current.jobId) await cancelJob(tx, current.jobId);
    const now = tx.clock.now();
    const cancelled = await repo.updateTaskRow(
      tx,
      current.id,
      { status: 'cancelled', completed_at: now, updated_at: now },
      ['queued', 'running'],
    );
    if (!cancelled) return (await repo.findTaskById(tx, current.id))!;
    await recordTaskEvent(tx, cancelled, 'task.cancelled');
    return cancelled;
  });
}

/** Deletes a task (cancelling its run first) and its artifacts. */
export async function deleteTask(ctx: Ctx, id: string, scope: TaskScope = 'user'): Promise<Task> {
  const actor = requireUser(ctx);
  return withTransaction(ctx, async (tx) => {
    const current = await repo.findTask(tx, actor, isUuid(id) ? id : '', scope);
    if (!current) throw notFound('Task');
    if (current.jobId && !TERMINAL_STATUSES.includes(current.status))
      await cancelJob(tx, current.jobId);
    await filesRepo.deleteTaskFiles(tx, current.id);
    await repo.deleteTaskRow(tx, current.id);
    await recordTaskEvent(tx, { ...current, status: 'cancelled' }, 'task.deleted');
    return current;
  });
}

/**
 * Runs a failed (or cancelled) task again as a new attempt; retry_count goes up. A run
 * is an execution the daily quota counts, so it takes a unit of the owner's quota in
 * the same transaction (refused with quota_exceeded when none is left).
 */
export async function retryTask(
  ctx: Ctx,
  id: string,
  scope: TaskScope = 'user',
  options: { rerunSucceeded?: boolean; failedOnly?: boolean } = {},
): Promise<Task> {
  const actor = requireUser(ctx);
  // Retry is for failed and cancelled tasks (AutoServe: failed only); setting a
  // finished task back to queued (an update) runs a succeeded one again too.
  const from: Task['status'][] = options.failedOnly
    ? ['failed']
    : options.rerunSucceeded
      ? ['failed', 'cancelled', 'succeeded']
      : ['failed', 'cancelled'];
  return withTransaction(ctx, async (tx) => {
    const current = await repo.findTask(tx, actor, isUuid(id) ? id : '', scope);
    if (!current) throw notFound('Task');
    if (!from.includes(current.status)) {
      throw new DomainError(
        'conflict',
        `Only ${from.join(' or ')} tasks can be run again (this one is ${current.status})`,
      );
    }
    const runner = runnerFor(tx, current.kind);
    if (runner?.needsSandbox) requireSandbox(tx, `${current.kind} tasks`);
    const now = tx.clock.now();
    if (!runner?.manual) {
      const owner = await usersRepo.findUserById(tx, current.userId);
      if (!owner) throw notFound('Task');
      await consumeDailyQuota(tx, owner.id, owner.daily_limit);
    }
    // A manual task is tracked, not run: it waits for a client to set its outcome.
    const job = runner?.manual
      ? undefined
      : await enqueueJob(
          tx,
          runTaskJob,
          { taskId: current.id },
          {
            tenantId: current.tenantId,
            lane: current.lane,
            priority: PRIORITY_RANK[current.priority],
          },
        );
    const retried = await repo.updateTaskRow(
      tx,
      current.id,
      {
        status: 'queued',
        job_id: job?.id ?? null,
        retry_count: current.retryCount + 1,
        progress: 0,
        result: null,
        error_message: null,
        started_at: null,
        completed_at: null,
        updated_at: now,
      },
      from,
    );
    if (!retried) throw new DomainError('conflict', 'The task changed meanwhile; try again');
    await recordTaskEvent(tx, retried, 'task.retried', { retry_count: retried.retryCount });
    return retried;
  });
}

/** Tasks waiting and running per lane, and the consumers working the queue. */
export async function taskQueueStats(ctx: Ctx) {
  requireUser(ctx);
  const [byLane, queue] = await Promise.all([
    repo.countByLane(ctx),
    queueStats(ctx, [runTaskJob.kind]),
  ]);
  const lanes = { premium: { queued: 0, running: 0 }, normal: { queued: 0, running: 0 } };
  for (const { lane, status, n } of byLane) {
    if (status === 'queued' || status === 'running') lanes[lane][status] += n;
  }
  return { lanes, activeConsumers: queue.activeConsumers, workers: queue.workers };
}

function checkJsonSize(field: string, value: unknown): void {
  if (value !== undefined && JSON.stringify(value).length > MAX_JSON_FIELD) {
    throw invalid(field, `${field} must be at most ${MAX_JSON_FIELD} bytes of JSON`, 'value_error');
  }
}
