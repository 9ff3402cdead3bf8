/**
 * Codespace tasks: an agent coding job on a git repository, owned by a user and
 * attached to one of their projects. Each is a core task of kind `codespace` with the
 * same id (codespace.runner.ts runs it on the workers: durable queue, sandbox,
 * cancellation, artifacts, usage), plus this record of what CodeGuide shows (project,
 * repository, description, deployment config). Its status is the core task's, in
 * CodeGuide's words.
 */
import type { CatalogModel } from '../ai/catalog.ts';
import { type Ctx, withTransaction } from '../context.ts';
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
import { getTaskResults } from '../tasks/task-results.ts';
import { cancelTask, createTask, deleteTask, editPendingTask } from '../tasks/tasks.service.ts';
import { type TaskStatus, TERMINAL_STATUSES } from '../tasks/tasks.types.ts';
import * as repo from './codespace.repo.ts';
import type { CodespaceResult } from './codespace.runner.ts';

export const CODESPACE_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const;
export type CodespaceStatus = (typeof CODESPACE_STATUSES)[number];

/** The core task's status in CodeGuide's words. */
const FROM_TASK: Record<TaskStatus, CodespaceStatus> = {
  queued: 'pending',
  running: 'running',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The core statuses a CodeGuide status filter means. */
export function taskStatusesFor(status: CodespaceStatus): TaskStatus[] {
  return (Object.keys(FROM_TASK) as TaskStatus[]).filter((s) => FROM_TASK[s] === status);
}

export interface CodespaceTask {
  id: string;
  projectId: string;
  userUuid: string;
  repositoryUrl: string;
  taskDescription: string;
  modelId: string | null;
  deploymentConfig: Record<string, unknown> | null;
  status: CodespaceStatus;
  /** 0–100 while it runs. */
  progress: number;
  /** What the run produced (branch, commit, summary…), once it finished. */
  result: CodespaceResult | null;
  errorMessage: string | null;
  createdAt: number;
  updatedAt: number;
}

function toTask(row: repo.CodespaceTaskView, userUuid: string): CodespaceTask {
  const result = row.task_result ? JSON.parse(row.task_result) : null;
  return {
    id: row.id,
    projectId: row.project_id,
    userUuid,
    repositoryUrl: row.repository_url,
    taskDescription: row.task_description,
    modelId: row.model_id,
    deploymentConfig: row.deployment_config ? JSON.parse(row.deployment_config) : null,
    // Records made before codespace tasks ran have no core task: their own status stands.
    status: row.task_status
      ? FROM_TASK[row.task_status as TaskStatus]
      : (row.status as CodespaceStatus),
    progress: Number(row.task_progress ?? 0),
    result: result && typeof result === 'object' ? result : null,
    errorMessage: row.task_error ?? null,
    createdAt: Number(row.created_at),
    updatedAt: Math.max(Number(row.updated_at), Number(row.task_updated_at ?? 0)),
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
  // http(s) only, no credentials, an allowed host; where it may connect is checked at clone time.
  const repositoryUrl = repositoryUrlText(checkRepositoryUrl(input.repositoryUrl, ctx.config.git));
  const modelId = checkModel(ctx, input.modelId);
  await requireProject(ctx, input.projectId);
  return withTransaction(ctx, async (tx) => {
    // The run: queued on the core's durable queue, counted by the daily quota.
    const task = await createTask(tx, {
      kind: 'codespace',
      title: `Codespace: ${input.taskDescription.split('\n')[0]!.slice(0, 80)}`,
      description: input.taskDescription,
      parameters: {
        repository_url: repositoryUrl,
        model_id: modelId,
        branch: `tasklane/codespace-${Date.now().toString(36)}`,
      },
      source: 'codeguide',
    });
    const now = tx.clock.now();
    await repo.insertCodespaceTask(tx, {
      id: task.id,
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
    return getCodespaceTask(tx, task.id);
  });
}

async function requireRow(ctx: Ctx, id: string): Promise<repo.CodespaceTaskView> {
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
  const rows = await repo.listUserCodespaceTasks(ctx, actor, {
    projectId: filter.projectId,
    status: filter.status as CodespaceStatus | undefined,
    taskStatuses: filter.status ? taskStatusesFor(filter.status as CodespaceStatus) : undefined,
  });
  return rows.map((row) => toTask(row, actor.userUuid));
}

export interface UpdateCodespaceTaskInput {
  taskDescription?: string;
  status?: string;
  deploymentConfig?: Record<string, unknown>;
}

/**
 * The description changes only before the task starts (the queued run is edited with
 * it); `status` may only become `cancelled`, and only while the task has not finished
 * (a running task's sandbox is killed).
 */
export async function updateCodespaceTask(
  ctx: Ctx,
  id: string,
  input: UpdateCodespaceTaskInput,
): Promise<CodespaceTask> {
  const actor = requireUser(ctx);
  return withTransaction(ctx, async (tx) => {
    const row = await requireRow(tx, id);
    const current = toTask(row, actor.userUuid);
    if (input.status !== undefined) {
      if (input.status !== 'cancelled')
        throw invalid('status', 'status: can only be set to "cancelled"');
      if (current.status === 'completed' || current.status === 'failed')
        throw conflict(`The codespace task has already ${current.status}`);
    }
    if (input.taskDescription !== undefined && current.status !== 'pending')
      throw conflict('task_description can only change before the task starts');
    const changes: Partial<repo.CodespaceTaskRow> = {};
    const linked = row.task_status !== null;
    if (input.status !== undefined) {
      if (linked) await cancelTask(tx, id);
      changes.status = 'cancelled';
    }
    if (input.taskDescription !== undefined) {
      if (linked) {
        await editPendingTask(tx, id, { description: input.taskDescription }).catch((error) => {
          // The run started between the check and the edit.
          if (error?.code === 'conflict')
            throw conflict('task_description can only change before the task starts');
          throw error;
        });
      }
      changes.task_description = input.taskDescription;
    }
    if (input.deploymentConfig !== undefined)
      changes.deployment_config = JSON.stringify(input.deploymentConfig);
    if (Object.keys(changes).length > 0) {
      changes.updated_at = tx.clock.now();
      await repo.updateCodespaceTask(tx, actor, id, changes);
    }
    return getCodespaceTask(tx, id);
  });
}

/** Deletes the record and its run (a running one is cancelled first) with its artifacts. */
export async function deleteCodespaceTask(ctx: Ctx, id: string): Promise<void> {
  const actor = requireUser(ctx);
  await withTransaction(ctx, async (tx) => {
    const row = await requireRow(tx, id);
    if (row.task_status !== null) await deleteTask(tx, id);
    await repo.deleteCodespaceTask(tx, actor, id);
  });
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

export interface CodespaceTaskDetail {
  task: CodespaceTask;
  model: CatalogModel | undefined;
  /** Once it finished: artifact name → signed download URL (changes.diff, changes.bundle…). */
  files: Record<string, string>;
}

/** A task with its model's catalog entry and, once it finished, its artifacts' links. */
export async function getCodespaceTaskDetail(
  ctx: Ctx,
  id: string,
  links: { baseUrl: string; ttlSeconds: number },
): Promise<CodespaceTaskDetail> {
  const row = await requireRow(ctx, id);
  const task = toTask(row, requireUser(ctx).userUuid);
  // Artifacts exist once the run has finished.
  const finished = TERMINAL_STATUSES.includes(row.task_status as TaskStatus);
  const files = finished ? (await getTaskResults(ctx, id, links)).urls : {};
  return {
    task,
    model: task.modelId ? ctx.runtime.ai.catalog.get(task.modelId) : undefined,
    files,
  };
}

/** The models a codespace task may name: the model catalog. */
export function codespaceModels(ctx: Ctx): readonly CatalogModel[] {
  requireUser(ctx);
  return ctx.runtime.ai.catalog.models;
}
