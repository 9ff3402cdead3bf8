/**
 * Running one task on a worker: mark it running (fenced by the job's lease), run its
 * kind's runner in a fresh workspace and sandbox, keep what it produced, and record the
 * outcome in the same transaction that completes the job. A cancelled, deleted or
 * re-owned task is never overwritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Selectable } from 'kysely';
import type { FilesTable } from '../../db/types.ts';
import { SANDBOX_MODEL_KEY } from '../ai/catalog.ts';
import { type Ctx, createContext, type Runtime, type UserActor } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import { Workspace } from '../execution/workspace.ts';
import { contentTypeFor } from '../files/content-types.ts';
import * as filesRepo from '../files/files.repo.ts';
import type { RunningJob } from '../jobs/jobs.types.ts';
import { recordUsage } from '../metering/metering.service.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { runnerFor } from './runners/registry.ts';
import type { OutputArtifact, TaskRunOutcome, UsageReport } from './runners/runner.types.ts';
import { eventForStatus, recordTaskEvent } from './task-events.ts';
import * as repo from './tasks.repo.ts';
import type { Task } from './tasks.types.ts';

export interface RunTaskPayload {
  taskId: string;
}

const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

export async function executeTask(job: RunningJob<RunTaskPayload>): Promise<void> {
  const { ctx } = job;
  const runtime = ctx.runtime;
  const now = ctx.clock.now();
  const task = await job.withLease(async (tx) => {
    const current = await repo.findTaskById(tx, job.payload.taskId);
    if (!current || (current.status !== 'queued' && current.status !== 'running')) return undefined;
    const started = await repo.updateTaskRow(
      tx,
      current.id,
      {
        status: 'running',
        started_at: current.startedAt ?? now,
        attempts: current.attempts + 1,
        progress: 0,
        updated_at: now,
      },
      ['queued', 'running'],
    );
    if (started) await recordTaskEvent(tx, started, 'task.started', { attempt: started.attempts });
    return started;
  });
  if (!task) return; // cancelled or deleted before it started: nothing to do

  const owner = ownerContext(runtime, task, ctx);
  const usage: UsageTally = {
    modelKey: '',
    inputTokens: 0,
    outputTokens: 0,
    sandboxMs: 0,
    costMicroUsd: 0,
    metered: false,
    unmeteredSandboxMs: 0,
  };
  const workspace = Workspace.create(runtime.workspaceRoot, task.id);
  try {
    const outcome = await runOnce(job, owner, task, workspace, usage);
    // The run ended because it was cancelled (or lost its lease): let the worker settle it.
    if (job.signal.aborted) throw new Error(`run aborted: ${String(job.signal.reason)}`);
    const artifacts = await storeArtifacts(owner, task, workspace, outcome);
    await job.complete(async (tx) => {
      for (const file of artifacts) await filesRepo.insertFile(tx, file);
      await finishTask(tx, task, outcome, usage);
    });
  } finally {
    workspace.remove();
  }
}

async function runOnce(
  job: RunningJob<RunTaskPayload>,
  owner: Ctx,
  task: Task,
  workspace: Workspace,
  usage: UsageTally,
): Promise<TaskRunOutcome> {
  const runner = runnerFor(task.kind);
  const provider = owner.runtime.sandbox;
  if (!runner) return failed(`No runner for task kind "${task.kind}"`);
  if (runner.needsSandbox && !provider.available) return failed(provider.reason);
  try {
    return await runner.run({
      ctx: owner,
      task,
      workspace,
      sandbox: provider.available ? provider.sandbox : (undefined as never),
      signal: job.signal,
      progress: (step) => recordProgress(job, task.id, step),
      reportUsage: (report) => addUsage(usage, report),
      fetchInput: (reference, as) => fetchInput(owner, task, workspace, reference, as),
    });
  } catch (error) {
    if (job.signal.aborted) throw error;
    // A refusal the runner explains (bad input, missing file) fails the task for good;
    // anything else is an infrastructure fault and the job is retried.
    if (error instanceof DomainError) return failed(error.message);
    throw error;
  }
}

function failed(message: string): TaskRunOutcome {
  return { status: 'failed', result: null, errorMessage: message };
}

async function recordProgress(
  job: RunningJob<RunTaskPayload>,
  taskId: string,
  step: { percent?: number; message: string; data?: Record<string, unknown> },
): Promise<void> {
  await job.withLease(async (tx) => {
    const percent =
      step.percent === undefined ? undefined : Math.max(0, Math.min(100, Math.round(step.percent)));
    const updated = await repo.updateTaskRow(
      tx,
      taskId,
      { ...(percent !== undefined ? { progress: percent } : {}), updated_at: tx.clock.now() },
      ['running'],
    );
    if (updated)
      await recordTaskEvent(tx, updated, 'task.progress', {
        message: step.message,
        ...(step.data ?? {}),
      });
  });
}

/** Writes the outcome if the task is still running (a cancel that got there first wins). */
async function finishTask(
  tx: Ctx,
  task: Task,
  outcome: TaskRunOutcome,
  usage: UsageTally,
): Promise<void> {
  const now = tx.clock.now();
  const finished = await repo.updateTaskRow(
    tx,
    task.id,
    {
      status: outcome.status,
      result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
      error_message: outcome.status === 'failed' ? (outcome.errorMessage ?? 'Task failed') : null,
      progress: 100,
      completed_at: now,
      updated_at: now,
    },
    ['running'],
  );
  if (finished) {
    await meterTask(tx, task, usage);
    await recordTaskEvent(tx, finished, eventForStatus(finished.status), {
      error_message: finished.errorMessage,
      usage: {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        sandbox_ms: usage.sandboxMs,
        cost_usd: usage.costMicroUsd / 1e6,
      },
    });
  }
}

/** Blobs are written outside the transaction (they are immutable); file rows go inside it. */
async function storeArtifacts(
  owner: Ctx,
  task: Task,
  workspace: Workspace,
  outcome: TaskRunOutcome,
) {
  const extra: OutputArtifact[] = [...(outcome.artifacts ?? [])];
  if (outcome.status === 'failed' && !extra.some((a) => a.name === 'error.log')) {
    extra.push({
      name: 'error.log',
      content: `${outcome.errorMessage ?? 'Task failed'}\n`,
      contentType: 'text/plain; charset=utf-8',
    });
  }
  const rows: Selectable<FilesTable>[] = [];
  const seen = new Set<string>();
  const blobs = owner.runtime.blobs;
  const now = owner.clock.now();
  const add = async (name: string, data: Buffer | { path: string }, contentType?: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const blob = await blobs.put(data, MAX_ARTIFACT_BYTES);
    rows.push({
      id: uuidv7(now),
      tenant_id: task.tenantId,
      user_id: task.userId,
      task_id: task.id,
      kind: 'artifact',
      name,
      sha256: blob.sha256,
      size: blob.size,
      content_type: contentType ?? contentTypeFor(name),
      description: null,
      status: 'processed',
      created_at: now,
    });
  };
  for (const artifact of extra) {
    await add(
      artifact.name,
      Buffer.isBuffer(artifact.content) ? artifact.content : Buffer.from(artifact.content),
      artifact.contentType,
    );
  }
  for (const output of workspace.outputs()) {
    if (output.size <= MAX_ARTIFACT_BYTES) await add(output.name, { path: output.path });
  }
  return rows;
}

async function fetchInput(
  owner: Ctx,
  task: Task,
  workspace: Workspace,
  reference: string,
  as?: string,
): Promise<string> {
  const file = isUuid(reference)
    ? await filesRepo.findFile(owner, reference, { userId: task.userId })
    : await filesRepo.findUploadByName(owner, task.userId, reference);
  if (!file) throw notFound(`Input file "${reference}"`);
  const target = workspace.resolve(as ?? path.basename(file.name));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(owner.runtime.blobs.path(file.sha256), target);
  return target;
}

type UsageTally = Required<UsageReport> & { unmeteredSandboxMs: number };

function addUsage(total: UsageTally, report: UsageReport): void {
  if (report.modelKey) total.modelKey = report.modelKey;
  total.inputTokens += report.inputTokens ?? 0;
  total.outputTokens += report.outputTokens ?? 0;
  total.sandboxMs += report.sandboxMs ?? 0;
  total.costMicroUsd += report.costMicroUsd ?? 0;
  if (!report.metered) total.unmeteredSandboxMs += report.sandboxMs ?? 0;
}

/** The ledger rows a finished task adds: the task itself, and sandbox time no runner metered. */
async function meterTask(tx: Ctx, task: Task, usage: UsageTally): Promise<void> {
  const owner = { userId: task.userId, tenantId: task.tenantId };
  await recordUsage(tx, owner, { kind: 'task', taskId: task.id });
  if (usage.unmeteredSandboxMs > 0) {
    const entry = tx.runtime.ai.catalog.get(SANDBOX_MODEL_KEY);
    usage.costMicroUsd += await recordUsage(tx, owner, {
      kind: 'sandbox',
      modelKey: SANDBOX_MODEL_KEY,
      pricing: entry?.pricing,
      usage: { inputTokens: 0, outputTokens: 0, seconds: usage.unmeteredSandboxMs / 1000 },
      taskId: task.id,
    });
  }
}

/** The task owner's identity, so what the run stores is theirs. */
function ownerContext(runtime: Runtime, task: Task, base: Ctx): Ctx {
  const actor: UserActor = {
    kind: 'user',
    userId: task.userId,
    userUuid: '',
    tenantId: task.tenantId,
    role: 'user',
    tenantRole: 'member',
    tier: task.lane === 'premium' ? 'premium' : 'free',
    authMethod: 'api_key',
  };
  return createContext(runtime, actor, base.log);
}
