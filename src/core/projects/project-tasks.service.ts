/**
 * Project tasks: the owner's to-dos inside a task group, optionally nested under a
 * parent task of the same group. A task's subtasks are deleted with it, and move with
 * it when it changes group.
 */
import type { Ctx, UserActor } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { toProjectTask } from './project-task.mapper.ts';
import * as repo from './project-tasks.repo.ts';
import {
  type Paged,
  type ProjectTask,
  type ProjectTaskDetail,
  type ProjectTaskFilter,
  TASK_STATUSES,
} from './projects.types.ts';
import { requireTaskGroup } from './task-groups.service.ts';

export interface ProjectTaskInput {
  title?: string;
  description?: string;
  status?: string;
  taskGroupId?: string;
  parentTaskId?: string | null;
  ordinal?: number;
}

/** Deepest nesting walked when checking for a cycle (a deeper tree is refused). */
const MAX_DEPTH = 64;

export async function createProjectTask(
  ctx: Ctx,
  input: ProjectTaskInput & { title: string; description: string; taskGroupId: string },
): Promise<ProjectTask> {
  const actor = requireUser(ctx);
  checkStatus(input.status);
  await requireTaskGroup(ctx, input.taskGroupId);
  if (input.parentTaskId) {
    const parent = await findOwned(ctx, actor, input.parentTaskId, 'Parent task');
    if (parent.task_group_id !== input.taskGroupId)
      throw invalid('parent_task_id', 'The parent task belongs to another task group');
  }
  const now = ctx.clock.now();
  const row = await repo.insertProjectTask(ctx, {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    task_group_id: input.taskGroupId,
    parent_task_id: input.parentTaskId ?? null,
    title: input.title,
    description: input.description,
    status: input.status ?? 'pending',
    ordinal: input.ordinal ?? 0,
    search_text: `${input.title} ${input.description}`.toLowerCase(),
    created_at: now,
    updated_at: now,
  });
  return toProjectTask(actor, row);
}

export async function getProjectTask(ctx: Ctx, id: string): Promise<ProjectTaskDetail> {
  const actor = requireUser(ctx);
  const [detail] = await withSubtasks(ctx, actor, [await findOwned(ctx, actor, id)]);
  return detail!;
}

export async function listProjectTasks(
  ctx: Ctx,
  filter: ProjectTaskFilter,
): Promise<ProjectTaskDetail[]> {
  const actor = requireUser(ctx);
  const { rows } = await repo.pageUserProjectTasks(ctx, actor.userId, filter);
  return withSubtasks(ctx, actor, rows);
}

export async function pageProjectTasks(
  ctx: Ctx,
  query: ProjectTaskFilter & { page: number; pageSize: number },
): Promise<Paged<ProjectTaskDetail>> {
  const actor = requireUser(ctx);
  const { rows, total } = await repo.pageUserProjectTasks(ctx, actor.userId, {
    ...query,
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return {
    items: await withSubtasks(ctx, actor, rows),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}

export async function updateProjectTask(
  ctx: Ctx,
  id: string,
  input: ProjectTaskInput,
): Promise<ProjectTask> {
  const actor = requireUser(ctx);
  checkStatus(input.status);
  const current = await findOwned(ctx, actor, id);
  const groupId = input.taskGroupId ?? current.task_group_id;
  if (input.taskGroupId !== undefined) await requireTaskGroup(ctx, input.taskGroupId);
  const parentId = input.parentTaskId === undefined ? current.parent_task_id : input.parentTaskId;
  if (parentId) {
    const parent = await findOwned(ctx, actor, parentId, 'Parent task');
    if (parent.task_group_id !== groupId)
      throw invalid('parent_task_id', 'The parent task belongs to another task group');
    await refuseCycle(ctx, actor, id, parent);
  }
  const title = input.title ?? current.title;
  const description = input.description ?? current.description;
  const row = await repo.updateProjectTask(ctx, id, {
    title,
    description,
    search_text: `${title} ${description}`.toLowerCase(),
    task_group_id: groupId,
    parent_task_id: parentId ?? null,
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(input.ordinal !== undefined ? { ordinal: input.ordinal } : {}),
    updated_at: ctx.clock.now(),
  });
  if (groupId !== current.task_group_id)
    await repo.moveSubtree(ctx, await descendantsOf(ctx, id), groupId);
  return toProjectTask(actor, row);
}

export async function deleteProjectTask(ctx: Ctx, id: string): Promise<void> {
  const actor = requireUser(ctx);
  await findOwned(ctx, actor, id);
  await repo.deleteProjectTask(ctx, id);
}

function checkStatus(status: string | undefined): void {
  if (status !== undefined && !(TASK_STATUSES as readonly string[]).includes(status))
    throw invalid('status', `status must be one of: ${TASK_STATUSES.join(', ')}`);
}

async function findOwned(
  ctx: Ctx,
  actor: UserActor,
  id: string,
  what = 'Project task',
): Promise<repo.ProjectTaskRow> {
  const row = isUuid(id) ? await repo.findUserProjectTask(ctx, actor.userId, id) : undefined;
  if (!row) throw notFound(what);
  return row;
}

/** A task cannot become its own ancestor. */
async function refuseCycle(
  ctx: Ctx,
  actor: UserActor,
  id: string,
  parent: repo.ProjectTaskRow,
): Promise<void> {
  let node: repo.ProjectTaskRow | undefined = parent;
  for (let depth = 0; node; depth++) {
    if (node.id === id)
      throw invalid('parent_task_id', 'A task cannot be nested under itself or its subtasks');
    if (depth > MAX_DEPTH) throw invalid('parent_task_id', 'Tasks nest too deeply');
    node = node.parent_task_id
      ? await repo.findUserProjectTask(ctx, actor.userId, node.parent_task_id)
      : undefined;
  }
}

async function descendantsOf(ctx: Ctx, id: string): Promise<string[]> {
  const found: string[] = [];
  let frontier = [id];
  for (let depth = 0; frontier.length > 0 && depth <= MAX_DEPTH; depth++) {
    const children = await repo.childrenOf(ctx, frontier);
    frontier = children.map((c) => c.id);
    found.push(...frontier);
  }
  return found;
}

async function withSubtasks(
  ctx: Ctx,
  actor: UserActor,
  rows: repo.ProjectTaskRow[],
): Promise<ProjectTaskDetail[]> {
  const children = await repo.childrenOf(
    ctx,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({
    ...toProjectTask(actor, row),
    subtasks: children
      .filter((c) => c.parent_task_id === row.id)
      .map((c) => toProjectTask(actor, c)),
  }));
}
