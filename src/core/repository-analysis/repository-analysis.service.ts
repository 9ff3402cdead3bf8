/**
 * Repository analysis (CodeGuide): a request clones a user's git repository in a
 * durable background job (analyze-repository.job.ts), measures it, has the model
 * summarise it, and optionally generates the project's documents and a codespace task.
 * Tasks are read by their id alone (the spec asks no credentials there): the id is a
 * random UUID (122 random bits), never listed anywhere but to the owner who started it.
 * The analysed repositories (one per user and URL, holding the latest analysis) are
 * the owner's only.
 */
import { randomUUID } from 'node:crypto';
import { type Ctx, withTransaction } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { checkRepositoryUrl, repositoryUrlText } from '../git/repository-url.ts';
import { requireUser } from '../identity/users.service.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { requireProject } from '../projects/projects.service.ts';
import { isUuid } from '../shared/ids.ts';
import * as repo from './repository-analysis.repo.ts';
import type { RepositoryStatistics } from './statistics.ts';

export const ANALYZE_REPOSITORY_KIND = 'repository.analyze';
export const ANALYZE_REPOSITORY_ATTEMPTS = 3;

export type AnalysisStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface AnalysisDocument {
  documentType: string;
  status: 'completed' | 'failed';
  documentId?: string;
  error?: string;
}

/** A finished analysis: what …/result shows and what the repository keeps. */
export interface AnalysisResult {
  repository: {
    id: string;
    url: string;
    name: string;
    userUuid: string;
    branch: string | null;
    commit: string;
    createdAt: number;
    updatedAt: number;
  };
  statistics: RepositoryStatistics;
  /** The model's summary; null when it could not be written (see warnings). */
  summary: string | null;
  documents: AnalysisDocument[];
  codespaceTaskId: string | null;
  /** Optional steps that did not succeed, one sentence each. */
  warnings: string[];
}

export interface AnalysisTask {
  id: string;
  status: AnalysisStatus;
  message: string;
  progress: number;
  repositoryUrl: string;
  result: AnalysisResult | null;
  error: string | null;
}

export interface AnalyzedRepository {
  id: string;
  url: string;
  name: string;
  userUuid: string;
  createdAt: number;
  updatedAt: number;
  analysisResults: AnalysisResult & { taskId: string; analyzedAt: number };
}

export interface StartAnalysisInput {
  repositoryUrl: string;
  generateDocuments?: boolean;
  createCodespaceTask?: boolean;
  projectId?: string;
}

/**
 * Checks the request (the URL's form and host at once; where it connects when it is
 * cloned), then writes the task and its job in one transaction.
 */
export async function startRepositoryAnalysis(
  ctx: Ctx,
  input: StartAnalysisInput,
): Promise<AnalysisTask> {
  const actor = requireUser(ctx);
  const url = repositoryUrlText(checkRepositoryUrl(input.repositoryUrl, ctx.config.git));
  const generateDocuments = input.generateDocuments ?? false;
  const createCodespaceTask = input.createCodespaceTask ?? false;
  if ((generateDocuments || createCodespaceTask) && input.projectId === undefined)
    throw invalid(
      'project_id',
      'project_id is required when generate_documents or create_codespace_task is true',
    );
  if (input.projectId !== undefined) await requireProject(ctx, input.projectId);
  const now = ctx.clock.now();
  const id = randomUUID();
  await withTransaction(ctx, async (tx) => {
    await repo.insertTask(tx, {
      id,
      tenant_id: actor.tenantId,
      user_id: actor.userId,
      repository_url: url,
      project_id: input.projectId ?? null,
      repository_id: null,
      generate_documents: generateDocuments ? 1 : 0,
      create_codespace_task: createCodespaceTask ? 1 : 0,
      status: 'pending',
      message: 'Repository analysis started',
      progress: 0,
      warnings: '[]',
      created_at: now,
      updated_at: now,
    });
    await enqueueJob(
      tx,
      { kind: ANALYZE_REPOSITORY_KIND, maxAttempts: ANALYZE_REPOSITORY_ATTEMPTS },
      { taskId: id },
      { tenantId: actor.tenantId },
    );
  });
  return toTask((await repo.findTask(ctx, id))!);
}

/**
 * A task by its id, for anyone who has the id (the spec's status and result routes take
 * no credentials; the random id is the capability). Unknown or malformed: 404.
 */
export async function getAnalysisTask(ctx: Ctx, id: string): Promise<AnalysisTask> {
  const row = isUuid(id) ? await repo.findTask(ctx, id.toLowerCase()) : undefined;
  if (!row) throw notFound('Task');
  return toTask(row);
}

export function toTask(row: repo.AnalysisTaskRow): AnalysisTask {
  return {
    id: row.id,
    status: row.status as AnalysisStatus,
    message: row.message,
    progress: row.progress,
    repositoryUrl: row.repository_url,
    result: row.result ? (JSON.parse(row.result) as AnalysisResult) : null,
    error: row.error,
  };
}

export async function listRepositories(
  ctx: Ctx,
  page: { skip: number; limit: number },
): Promise<{ items: AnalyzedRepository[]; total: number }> {
  const actor = requireUser(ctx);
  const { rows, total } = await repo.pageUserRepositories(ctx, actor, {
    offset: page.skip,
    limit: page.limit,
  });
  return { items: rows.map((row) => toRepository(row, actor.userUuid)), total };
}

/** The caller's repository, or 404 (anyone else's too). */
export async function getRepository(ctx: Ctx, id: string): Promise<AnalyzedRepository> {
  const actor = requireUser(ctx);
  const row = isUuid(id) ? await repo.findUserRepository(ctx, actor, id) : undefined;
  if (!row) throw notFound('Repository');
  return toRepository(row, actor.userUuid);
}

/** Deletes the caller's repository and the analysis tasks that analysed it; 404 otherwise. */
export async function deleteRepository(ctx: Ctx, id: string): Promise<void> {
  const actor = requireUser(ctx);
  if (!isUuid(id) || !(await repo.deleteUserRepository(ctx, actor, id)))
    throw notFound('Repository');
}

function toRepository(row: repo.RepositoryRow, userUuid: string): AnalyzedRepository {
  return {
    id: row.id,
    url: row.repository_url,
    name: row.name,
    userUuid,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    analysisResults: JSON.parse(row.analysis_results),
  };
}

/** `owner/repo` from a URL's path (without `.git`), else the host. */
export function repositoryName(url: string): string {
  const parsed = new URL(url);
  const parts = parsed.pathname.split('/').filter(Boolean);
  const name = parts
    .slice(-2)
    .join('/')
    .replace(/\.git$/, '');
  return name || parsed.hostname;
}
