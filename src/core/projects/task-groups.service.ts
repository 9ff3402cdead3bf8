/**
 * Task groups: named sets of project tasks inside one of the owner's projects. A
 * group's tasks are deleted with it.
 */
import type { Ctx, UserActor } from '../context.ts';
import { notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { toProjectTask } from './project-task.mapper.ts';
import * as tasksRepo from './project-tasks.repo.ts';
import { requireProject } from './projects.service.ts';
import type { Paged, TaskGroup, TaskGroupDetail } from './projects.types.ts';
import * as repo from './task-groups.repo.ts';

export interface TaskGroupInput {
  name?: string;
  description?: string;
  projectId?: string;
}

export async function createTaskGroup(
  ctx: Ctx,
  input: { name: string; description: string; projectId: string },
): Promise<TaskGroup> {
  const actor = requireUser(ctx);
  await requireProject(ctx, input.projectId);
  const now = ctx.clock.now();
  const row = await repo.insertTaskGroup(ctx, {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    project_id: input.projectId,
    name: input.name,
    description: input.description,
    created_at: now,
    updated_at: now,
  });
  return toTaskGroup(actor, row);
}

export async function getTaskGroup(ctx: Ctx, id: string): Promise<TaskGroupDetail> {
  const actor = requireUser(ctx);
  const [detail] = await withTasks(ctx, actor, [await findOwned(ctx, actor, id)]);
  return detail!;
}

/** The caller's group, or 404 (for other capabilities). */
export async function requireTaskGroup(ctx: Ctx, id: string): Promise<TaskGroup> {
  const actor = requireUser(ctx);
  return toTaskGroup(actor, await findOwned(ctx, actor, id));
}

export async function listTaskGroups(ctx: Ctx): Promise<TaskGroupDetail[]> {
  const actor = requireUser(ctx);
  const { rows } = await repo.pageUserTaskGroups(ctx, actor.userId, {});
  return withTasks(ctx, actor, rows);
}

export async function pageTaskGroups(
  ctx: Ctx,
  query: { page: number; pageSize: number; projectId?: string },
): Promise<Paged<TaskGroupDetail>> {
  const actor = requireUser(ctx);
  // Another user's (or no) project filters to nothing, like any unknown id would.
  const { rows, total } = await repo.pageUserTaskGroups(ctx, actor.userId, {
    projectId: query.projectId,
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return {
    items: await withTasks(ctx, actor, rows),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function updateTaskGroup(
  ctx: Ctx,
  id: string,
  input: TaskGroupInput,
): Promise<TaskGroup> {
  const actor = requireUser(ctx);
  await findOwned(ctx, actor, id);
  if (input.projectId !== undefined) await requireProject(ctx, input.projectId);
  const row = await repo.updateTaskGroup(ctx, id, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.projectId !== undefined ? { project_id: input.projectId } : {}),
    updated_at: ctx.clock.now(),
  });
  return toTaskGroup(actor, row);
}

export async function deleteTaskGroup(ctx: Ctx, id: string): Promise<void> {
  const actor = requireUser(ctx);
  await findOwned(ctx, actor, id);
  await repo.deleteTaskGroup(ctx, id);
}

async function findOwned(ctx: Ctx, actor: UserActor, id: string): Promise<repo.TaskGroupRow> {
  const row = isUuid(id) ? await repo.findUserTaskGroup(ctx, actor.userId, id) : undefined;
  if (!row) throw notFound('Task group');
  return row;
}

async function withTasks(
  ctx: Ctx,
  actor: UserActor,
  rows: repo.TaskGroupRow[],
): Promise<TaskGroupDetail[]> {
  const tasks = await tasksRepo.tasksOfGroups(
    ctx,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({
    ...toTaskGroup(actor, row),
    tasks: tasks.filter((t) => t.task_group_id === row.id).map((t) => toProjectTask(actor, t)),
  }));
}

function toTaskGroup(actor: UserActor, row: repo.TaskGroupRow): TaskGroup {
  return {
    id: row.id,
    userId: row.user_id,
    userUuid: actor.userUuid,
    projectId: row.project_id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
