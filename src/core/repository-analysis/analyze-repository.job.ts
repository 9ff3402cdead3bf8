/**
 * Job kind `repository.analyze`: one repository analysis, as the task's owner, with its
 * progress (0–100) and message written as it goes (fenced by the job's lease). Steps:
 * clone into a temporary directory under the data dir (git/clone.ts: the SSRF guard and
 * limits) and measure it (statistics.ts), then the model's summary, then (if asked) the
 * project's documents and a codespace task. Each step's outcome is saved before the
 * next starts, so a retried job (its worker died, the server restarted) resumes after
 * the last finished step instead of redoing it. The temporary clone is always deleted.
 * A clone that is refused or stopped by a limit fails the task with the reason; the
 * optional steps failing leaves a warning in a completed task.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createCodespaceTask } from '../codespace/codespace.service.ts';
import type { Ctx } from '../context.ts';
import { generateProjectDocuments } from '../docs/documents.service.ts';
import { fetchRepository } from '../git/clone.ts';
import { CloneFailed } from '../git/clone-errors.ts';
import { RepositoryUrlRefused } from '../git/repository-url.ts';
import { actAsUser } from '../identity/auth.service.ts';
import { requireUser } from '../identity/users.service.ts';
import type { JobDefinition, RunningJob } from '../jobs/jobs.types.ts';
import { listDocumentTypes } from '../projects/catalogs.service.ts';
import { getProject } from '../projects/projects.service.ts';
import { uuidv7 } from '../shared/ids.ts';
import * as repo from './repository-analysis.repo.ts';
import {
  ANALYZE_REPOSITORY_ATTEMPTS,
  ANALYZE_REPOSITORY_KIND,
  type AnalysisDocument,
  type AnalysisResult,
  repositoryName,
} from './repository-analysis.service.ts';
import { analyseClone, type RepositoryStatistics } from './statistics.ts';
import { summarizeRepository } from './summary.ts';

export interface AnalyzeRepositoryPayload {
  taskId: string;
}

/** What the clone step keeps for the later steps (and for a retried job). */
interface CloneSource {
  branch: string | null;
  commit: string;
  bytesReceived: number;
  readme: string | null;
}

export const analyzeRepositoryJob: JobDefinition<AnalyzeRepositoryPayload> = {
  kind: ANALYZE_REPOSITORY_KIND,
  maxAttempts: ANALYZE_REPOSITORY_ATTEMPTS,
  backoff: { baseMs: 2000, maxMs: 30_000 },
  timeoutMs: 30 * 60_000,
  handler: perform,
  async onDead(tx, job, error) {
    await removeClones(tx, job.payload.taskId);
    await fail(tx, job.payload.taskId, error);
  },
  async onCancelled(tx, job) {
    await removeClones(tx, job.payload.taskId);
    await fail(tx, job.payload.taskId, 'cancelled');
  },
};

async function perform(job: RunningJob<AnalyzeRepositoryPayload>): Promise<void> {
  const id = job.payload.taskId;
  const row = await repo.findTask(job.ctx, id);
  if (!row || row.status === 'completed' || row.status === 'failed') return job.complete();
  const owner = await actAsUser(job.ctx, row.user_id);
  if (!owner) return job.complete((tx) => fail(tx, id, 'its owner no longer exists'));
  let progress = row.progress;
  const step = (to: number, message: string, changes: Partial<repo.AnalysisTaskRow> = {}) => {
    progress = to;
    return job.withLease((tx) =>
      repo.updateTask(tx, id, {
        status: 'running',
        progress: to,
        message,
        ...changes,
        updated_at: tx.clock.now(),
      }),
    );
  };
  const warnings: string[] = JSON.parse(row.warnings);
  /** An optional step failed: noted, and the analysis goes on (unless it is being stopped). */
  const warn = (what: string, error: unknown) => {
    if (job.signal.aborted) throw error;
    warnings.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return step(progress, `Repository analysis continues (${what} failed)`, {
      warnings: JSON.stringify(warnings),
    });
  };

  let measured: { source: CloneSource; statistics: RepositoryStatistics };
  if (row.source && row.statistics)
    measured = { source: JSON.parse(row.source), statistics: JSON.parse(row.statistics) };
  else {
    await step(5, 'Cloning the repository');
    try {
      measured = await cloneAndMeasure(job, owner, row.repository_url, step);
    } catch (error) {
      if (job.signal.aborted) throw error;
      if (!(error instanceof CloneFailed) && !(error instanceof RepositoryUrlRefused)) throw error;
      return job.complete((tx) => fail(tx, id, error.message));
    }
    await step(60, 'Writing the summary', {
      source: JSON.stringify(measured.source),
      statistics: JSON.stringify(measured.statistics),
    });
  }
  const { source, statistics } = measured;

  /** Whether an earlier attempt already gave this optional step up (not tried again). */
  const gaveUp = (what: string) => warnings.some((w) => w.startsWith(`${what}:`));
  let summary = row.summary;
  if (summary === null && !gaveUp('summary')) {
    await step(60, 'Writing the summary');
    try {
      summary = await summarizeRepository(
        owner,
        {
          repositoryUrl: row.repository_url,
          branch: source.branch,
          statistics,
          readme: source.readme,
        },
        job.signal,
      );
      await step(75, 'Summary written', { summary });
    } catch (error) {
      await warn('summary', error);
    }
  }

  let documents: AnalysisDocument[] = row.documents ? JSON.parse(row.documents) : [];
  if (row.generate_documents && row.project_id && row.documents === null && !gaveUp('documents')) {
    await step(75, 'Generating the project documents');
    try {
      documents = await generateDocuments(job, owner, row.project_id, row.repository_url, summary);
      await step(90, 'Documents generated', { documents: JSON.stringify(documents) });
    } catch (error) {
      await warn('documents', error);
      await step(90, 'Documents not generated', { documents: '[]' });
    }
  } else if (row.generate_documents && !row.project_id) {
    const gone = 'documents: the project no longer exists';
    if (!warnings.includes(gone)) warnings.push(gone);
  }

  let codespaceTaskId = row.codespace_task_id;
  if (row.create_codespace_task && codespaceTaskId === null && !gaveUp('codespace task')) {
    await step(90, 'Creating the codespace task');
    try {
      codespaceTaskId = await job.withLease(async (tx) => {
        if (!row.project_id) throw new Error('the project no longer exists');
        const task = await createCodespaceTask(
          { ...tx, actor: owner.actor },
          {
            projectId: row.project_id,
            repositoryUrl: row.repository_url,
            taskDescription: `Work on ${row.repository_url} (analysed by repository analysis ${id})`,
          },
        );
        await repo.updateTask(tx, id, { codespace_task_id: task.id, updated_at: tx.clock.now() });
        return task.id;
      });
    } catch (error) {
      await warn('codespace task', error);
    }
  }

  const user = requireUser(owner);
  await job.complete(async (tx) => {
    const now = tx.clock.now();
    const saved = await repo.upsertRepository(tx, {
      id: uuidv7(now),
      tenant_id: row.tenant_id,
      user_id: row.user_id,
      repository_url: row.repository_url,
      name: repositoryName(row.repository_url),
      analysis_results: '{}',
      last_task_id: id,
      created_at: now,
      updated_at: now,
    });
    const result: AnalysisResult = {
      repository: {
        id: saved.id,
        url: row.repository_url,
        name: saved.name,
        userUuid: user.userUuid,
        branch: source.branch,
        commit: source.commit,
        createdAt: Number(saved.created_at),
        updatedAt: now,
      },
      statistics,
      summary,
      documents,
      codespaceTaskId,
      warnings,
    };
    await repo.setRepositoryResults(
      tx,
      saved.id,
      JSON.stringify({ ...result, taskId: id, analyzedAt: now }),
    );
    await repo.updateTask(tx, id, {
      status: 'completed',
      progress: 100,
      message:
        warnings.length === 0
          ? 'Repository analysis completed'
          : `Repository analysis completed with warnings: ${warnings.join('; ')}`.slice(0, 2000),
      repository_id: saved.id,
      result: JSON.stringify(result),
      warnings: JSON.stringify(warnings),
      updated_at: now,
    });
  });
}

/** Clones into a fresh directory under the data dir, measures, and always removes it. */
async function cloneAndMeasure(
  job: RunningJob<AnalyzeRepositoryPayload>,
  owner: Ctx,
  url: string,
  step: (progress: number, message: string) => Promise<void>,
): Promise<{ source: CloneSource; statistics: RepositoryStatistics }> {
  const base = clonesDir(job.ctx);
  await fs.mkdir(base, { recursive: true, mode: 0o700 });
  await removeClones(job.ctx, job.payload.taskId);
  const dir = await fs.mkdtemp(path.join(base, `${job.payload.taskId}-`));
  try {
    const fetched = await fetchRepository(owner, url, path.join(dir, 'repo'), {
      signal: job.signal,
    });
    await step(40, 'Analysing the files');
    const facts = await analyseClone(fetched.dir, {
      maxEntries: 2 * job.ctx.config.git.maxFiles,
      signal: job.signal,
    });
    return {
      source: {
        branch: fetched.branch ?? null,
        commit: fetched.commit,
        bytesReceived: fetched.bytesReceived,
        readme: facts.readme,
      },
      statistics: facts.statistics,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function generateDocuments(
  job: RunningJob<AnalyzeRepositoryPayload>,
  owner: Ctx,
  projectId: string,
  url: string,
  summary: string | null,
): Promise<AnalysisDocument[]> {
  const project = await getProject(owner, projectId);
  const types = (await listDocumentTypes(owner)).map((t) => t.key);
  if (types.length === 0) throw new Error('no document types are active');
  const outcome = await generateProjectDocuments(
    owner,
    {
      projectId,
      documentTypes: types,
      context: {
        title: project.title,
        description: `${project.description}\n\nThe project's code is in the repository ${url}.${
          summary ? `\nWhat an analysis of that repository found:\n\n${summary}` : ''
        }`.slice(0, 20_000),
        selectedTools: project.toolsSelected,
        answers: (project.aiQuestionaire ?? {}) as Record<string, unknown>,
        outline: project.projectOutline ? JSON.stringify(project.projectOutline) : undefined,
      },
    },
    { signal: job.signal },
  );
  const byType = new Map(
    [...outcome.succeeded, ...outcome.failed].map((o) => [o.documentType, o] as const),
  );
  return types.flatMap((type): AnalysisDocument[] => {
    const o = byType.get(type);
    if (!o) return [];
    return o.documentId
      ? [{ documentType: type, status: 'completed', documentId: o.documentId }]
      : [{ documentType: type, status: 'failed', error: o.error ?? 'failed' }];
  });
}

function clonesDir(ctx: Ctx): string {
  return path.join(ctx.config.dataDir, 'tmp', 'repository-analysis');
}

/** Removes what an earlier attempt of this task left (its worker died mid-clone). */
async function removeClones(ctx: Ctx, taskId: string): Promise<void> {
  const base = clonesDir(ctx);
  const names = await fs.readdir(base).catch(() => [] as string[]);
  for (const name of names)
    if (name.startsWith(`${taskId}-`))
      await fs.rm(path.join(base, name), { recursive: true, force: true });
}

/** Ends a task that is still open as failed, with the reason. */
async function fail(tx: Ctx, id: string, reason: string): Promise<void> {
  const row = await repo.findTask(tx, id);
  if (!row || row.status === 'completed' || row.status === 'failed') return;
  await repo.updateTask(tx, id, {
    status: 'failed',
    message: `Repository analysis failed: ${reason}`.slice(0, 2000),
    error: reason.slice(0, 2000),
    updated_at: tx.clock.now(),
  });
}
