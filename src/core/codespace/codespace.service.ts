/**
 * Codespace tasks: an agent coding job on a git repository, owned by a user and
 * attached to one of their projects. This file keeps the records (create, read, list,
 * change, cancel, delete) and the usage reported for them; running them (clone in the
 * sandbox, the agent, artifacts) is not built yet (docs/surfaces/codeguide.md).
 */
import type { CatalogModel } from '../ai/catalog.ts';
import type { Ctx } from '../context.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { checkRepositoryUrl, repositoryUrlText } from '../git/repository-url.ts';
import { requireUser } from '../identity/users.service.ts';
import type { UsageRecord } from '../metering/ledger.repo.ts';
import {
  codespaceTaskUsage,
  type ReportedUsage,
  type TrackedUsage,
  trackUsage,
} from '../metering/tracked-usage.ts';
import { requireProject } from '../projects/projects.service.ts';
import { uuidv7 } from '../shared/ids.ts';
import * as repo from './codespace.repo.ts';

export const CODESPACE_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const;
export type CodespaceStatus = (typeof CODESPACE_STATUSES)[number];

export interface CodespaceTask {
  id: string;
  projectId: string;
  userUuid: string;
  repositoryUrl: string;
  taskDescription: string;
  modelId: string | null;
  deploymentConfig: Record<string, unknown> | null;
  status: CodespaceStatus;
  createdAt: number;
  updatedAt: number;
}

function toTask(row: repo.CodespaceTaskRow, userUuid: string): CodespaceTask {
  return {
    id: row.id,
    projectId: row.project_id,
    userUuid,
    repositoryUrl: row.repository_url,
    taskDescription: row.task_description,
    modelId: row.model_id,
    deploymentConfig: row.deployment_config ? JSON.parse(row.deployment_config) : null,
    status: row.status as CodespaceStatus,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function checkModel(ctx: Ctx, modelId: string | undefined): string | null {
  if (modelId === undefined) return null;
  if (!ctx.runtime.ai.catalog.get(modelId))
    throw invalid('model_id', `model_id: unknown model "${modelId}" (see /codespace-models)`);
  return modelId;
}

export interface CreateCodespaceTaskInput {
  projectId: string;
  repositoryUrl: string;
  taskDescription: string;
  modelId?: string;
  deploymentConfig?: Record<string, unknown>;
}

export async function createCodespaceTask(
  ctx: Ctx,
  input: CreateCodespaceTaskInput,
): Promise<CodespaceTask> {
  const actor = requireUser(ctx);
  const repositoryUrl = repositoryUrlText(checkRepositoryUrl(input.repositoryUrl, ctx.config.git));
  const modelId = checkModel(ctx, input.modelId);
  await requireProject(ctx, input.projectId);
  const now = ctx.clock.now();
  const row = await repo.insertCodespaceTask(ctx, {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    project_id: input.projectId,
    repository_url: repositoryUrl,
    task_description: input.taskDescription,
    model_id: modelId,
    deployment_config: input.deploymentConfig ? JSON.stringify(input.deploymentConfig) : null,
    status: 'pending',
    created_at: now,
    updated_at: now,
  });
  return toTask(row, actor.userUuid);
}

async function requireRow(ctx: Ctx, id: string): Promise<repo.CodespaceTaskRow> {
  const actor = requireUser(ctx);
  const row = await repo.findUserCodespaceTask(ctx, actor, id);
  if (!row) throw notFound('Codespace task');
  return row;
}

export async function getCodespaceTask(ctx: Ctx, id: string): Promise<CodespaceTask> {
  return toTask(await requireRow(ctx, id), requireUser(ctx).userUuid);
}

export async function listCodespaceTasks(
  ctx: Ctx,
  filter: { projectId?: string; status?: string },
): Promise<CodespaceTask[]> {
  const actor = requireUser(ctx);
  const rows = await repo.listUserCodespaceTasks(ctx, actor, filter);
  return rows.map((row) => toTask(row, actor.userUuid));
}

export interface UpdateCodespaceTaskInput {
  taskDescription?: string;
  status?: string;
  deploymentConfig?: Record<string, unknown>;
}

/**
 * The description changes only before the task starts; `status` may only become
 * `cancelled`, and only while the task has not finished.
 */
export async function updateCodespaceTask(
  ctx: Ctx,
  id: string,
  input: UpdateCodespaceTaskInput,
): Promise<CodespaceTask> {
  const actor = requireUser(ctx);
  const row = await requireRow(ctx, id);
  const changes: Partial<repo.CodespaceTaskRow> = {};
  if (input.status !== undefined) {
    if (input.status !== 'cancelled')
      throw invalid('status', 'status: can only be set to "cancelled"');
    if (row.status !== 'pending' && row.status !== 'running' && row.status !== 'cancelled')
      throw conflict(
        `The codespace task has already ${row.status === 'completed' ? 'completed' : 'failed'}`,
      );
    changes.status = 'cancelled';
  }
  if (input.taskDescription !== undefined) {
    if (row.status !== 'pending')
      throw conflict('task_description can only change before the task starts');
    changes.task_description = input.taskDescription;
  }
  if (input.deploymentConfig !== undefined)
    changes.deployment_config = JSON.stringify(input.deploymentConfig);
  if (Object.keys(changes).length > 0) {
    changes.updated_at = ctx.clock.now();
    await repo.updateCodespaceTask(ctx, actor, id, changes);
  }
  return getCodespaceTask(ctx, id);
}

export async function deleteCodespaceTask(ctx: Ctx, id: string): Promise<void> {
  const actor = requireUser(ctx);
  await requireRow(ctx, id);
  await repo.deleteCodespaceTask(ctx, actor, id);
}

/** Books usage a client reports for one of its codespace tasks (404 for anyone else's). */
export async function trackCodespaceUsage(
  ctx: Ctx,
  id: string,
  usage: ReportedUsage,
): Promise<TrackedUsage> {
  await requireRow(ctx, id);
  return trackUsage(ctx, { ...usage, codespaceTaskId: id });
}

/** The ledger rows reported for one of the caller's codespace tasks. */
export async function usageOfCodespaceTask(ctx: Ctx, id: string): Promise<UsageRecord[]> {
  await requireRow(ctx, id);
  return codespaceTaskUsage(ctx, id);
}

/** A task with its model's catalog entry (undefined when it names none). */
export async function getCodespaceTaskDetail(
  ctx: Ctx,
  id: string,
): Promise<{ task: CodespaceTask; model: CatalogModel | undefined }> {
  const task = await getCodespaceTask(ctx, id);
  return { task, model: task.modelId ? ctx.runtime.ai.catalog.get(task.modelId) : undefined };
}

/** The models a codespace task may name: the model catalog. */
export function codespaceModels(ctx: Ctx): readonly CatalogModel[] {
  requireUser(ctx);
  return ctx.runtime.ai.catalog.models;
}
