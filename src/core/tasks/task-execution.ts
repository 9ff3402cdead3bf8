/**
 * Running one task on a worker: mark it running (fenced by the job's lease), run its
 * kind's runner in a fresh workspace and sandbox, keep what it produced, and record the
 * outcome in the same transaction that completes the job. A cancelled, deleted or
 * re-owned task is never overwritten.
 */
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Ctx } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import { requireSandbox, sandboxOf } from '../execution/availability.ts';
import type { WarmProfile } from '../execution/warm-profile.ts';
import type { Workspace } from '../execution/workspace.ts';
import { contentTypeFor } from '../files/content-types.ts';
import * as filesRepo from '../files/files.repo.ts';
import { actAsUser } from '../identity/auth.service.ts';
import type { RunningJob } from '../jobs/jobs.types.ts';
import { type MeterOwner, recordUsage } from '../metering/metering.service.ts';
import { meterSandboxTime } from '../metering/usage-meters.ts';
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
const MAX_ARTIFACTS = 100;

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

  const usage: UsageTally = {
    modelKey: '',
    inputTokens: 0,
    outputTokens: 0,
    sandboxMs: 0,
    costMicroUsd: 0,
  };
  // The run acts as the task's owner (what it stores and spends is theirs).
  const owner = await actAsUser(ctx, task.userId);
  if (!owner) {
    await job.complete((tx) =>
      finishTask(tx, task, failed('The task owner no longer exists'), usage),
    );
    return;
  }
  const workspace = await runtime.workspaces.create(task.id, firstRunOf(owner, task));
  try {
    const outcome = await runOnce(job, owner, task, workspace, usage);
    // The run ended because it was cancelled (or lost its lease): let the worker settle it.
    if (job.signal.aborted) throw new Error(`run aborted: ${String(job.signal.reason)}`);
    const artifacts = await storeArtifacts(owner, task, workspace, outcome);
    const linked = linkOutputFile(outcome, artifacts);
    await job.complete(async (tx) => {
      for (const file of artifacts) await filesRepo.insertFile(tx, file);
      await finishTask(tx, task, linked, usage);
    });
  } finally {
    await workspace.remove();
  }
}

/** The warm-pool profile of the task's first sandbox run; a runner that cannot tell gets a cold start. */
function firstRunOf(owner: Ctx, task: Task): WarmProfile | undefined {
  try {
    return runnerFor(owner, task.kind)?.firstRun?.(owner, task);
  } catch {
    return undefined; // the runner refuses the task itself, with its own message
  }
}

/**
 * A result that names its output (`output_file`, data_processing's) also gets that
 * stored file's id, so a client can fetch it through the files API.
 */
function linkOutputFile(outcome: TaskRunOutcome, files: filesRepo.FileRow[]): TaskRunOutcome {
  const result = outcome.result;
  if (!result || typeof result !== 'object' || Array.isArray(result)) return outcome;
  const name = (result as Record<string, unknown>).output_file;
  const file = files.find((f) => f.name === name);
  return file ? { ...outcome, result: { ...result, file_id: file.id } } : outcome;
}

async function runOnce(
  job: RunningJob<RunTaskPayload>,
  owner: Ctx,
  task: Task,
  workspace: Workspace,
  usage: UsageTally,
): Promise<TaskRunOutcome> {
  const runner = runnerFor(owner, task.kind);
  if (!runner) return failed(`No runner for task kind "${task.kind}"`);
  try {
    return await runner.run({
      ctx: owner,
      task,
      workspace,
      sandbox: runner.needsSandbox ? requireSandbox(owner, `${task.kind} tasks`) : sandboxOf(owner),
      signal: job.signal,
      progress: (step) => recordProgress(job, task.id, step),
      reportUsage: (report) => addUsage(usage, report),
      meterSandbox: async (ms) => {
        const cost = await meterSandboxTime(owner, ownerOf(task), ms, { taskId: task.id });
        addUsage(usage, { sandboxMs: ms, costMicroUsd: cost });
      },
      fetchInput: (reference, as) => fetchInput(owner, task, workspace, reference, as),
    });
  } catch (error) {
    if (job.signal.aborted) throw error;
    // A refusal the runner explains (bad input, missing file) fails the task for good;
    // anything else is an infrastructure fault and the job is retried.
    if (error instanceof DomainError) return failed(owner.runtime.redactPaths(error.message));
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
      error_message:
        outcome.status === 'failed'
          ? tx.runtime.redactPaths(outcome.errorMessage ?? 'Task failed')
          : null,
      progress: 100,
      completed_at: now,
      updated_at: now,
    },
    ['running'],
  );
  if (finished) {
    await recordUsage(tx, ownerOf(task), { kind: 'task', taskId: task.id });
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

/**
 * Blobs are written outside the transaction (they are immutable); file rows go inside it.
 * Files the run left in out/ are handed over by the workspace, which never follows a
 * link the run planted (see docs/security.md); the runner's own artifacts come first.
 */
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
  const rows: filesRepo.FileRow[] = [];
  const seen = new Set<string>();
  const blobs = owner.runtime.blobs;
  const now = owner.clock.now();
  const add = async (name: string, data: Buffer | Readable, contentType?: string) => {
    if (seen.has(name)) return; // the workspace drains or closes an unread stream
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
  const report = await workspace.collectOutputs(
    { maxFiles: MAX_ARTIFACTS, maxFileBytes: MAX_ARTIFACT_BYTES },
    (file) => add(file.name, file.stream),
  );
  if (report.skipped.length > 0)
    owner.log.info({ task: task.id, skipped: report.skipped }, 'outputs left out');
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
  const target = as ?? path.basename(file.name);
  await workspace.write(target, owner.runtime.blobs.open(file.sha256));
  return target;
}

/** What the task's events report of its run (already in the ledger, metered where it happened). */
type UsageTally = Required<UsageReport>;

function addUsage(total: UsageTally, report: UsageReport): void {
  if (report.modelKey) total.modelKey = report.modelKey;
  total.inputTokens += report.inputTokens ?? 0;
  total.outputTokens += report.outputTokens ?? 0;
  total.sandboxMs += report.sandboxMs ?? 0;
  total.costMicroUsd += report.costMicroUsd ?? 0;
}

function ownerOf(task: Task): MeterOwner {
  return { userId: task.userId, tenantId: task.tenantId };
}
