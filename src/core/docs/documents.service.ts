/**
 * Generating a project's documents: several document types at once (bounded by
 * TASKLANE_CODEGUIDE_CONCURRENCY), each stored on the project as it finishes, so a
 * partial failure keeps what succeeded. In the request (`generateProjectDocuments`) or
 * as a durable background job (`startBackgroundGeneration`, see generate-documents.job.ts).
 */
import { type Ctx, withTransaction } from '../context.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { getBalance } from '../metering/metering.service.ts';
import { listDocumentTypes } from '../projects/catalogs.service.ts';
import { requireProject, saveProjectDocument } from '../projects/projects.service.ts';
import type { CatalogEntry } from '../projects/projects.types.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { documentRequest, generate } from './generation.service.ts';
import * as jobs from './generation-jobs.repo.ts';
import { checkAnswers, type PlanningContext } from './planning-context.ts';

export type DocumentProgress = 'pending' | 'generating' | 'completed' | 'failed';

export interface DocumentOutcome {
  documentType: string;
  documentId?: string;
  error?: string;
  code?: string;
}

export interface GenerationOutcome {
  succeeded: DocumentOutcome[];
  failed: DocumentOutcome[];
}

/** The active document types named, in the order asked (duplicates dropped); 422 for unknown ones. */
export async function resolveDocumentTypes(ctx: Ctx, keys: string[]): Promise<CatalogEntry[]> {
  const active = await listDocumentTypes(ctx);
  const wanted = [...new Set(keys)];
  const unknown = wanted.filter((key) => !active.some((t) => t.key === key));
  if (unknown.length > 0)
    throw invalid(
      'document_types',
      `Unknown document types: ${unknown.join(', ')}; available: ${active.map((t) => t.key).join(', ')}`,
    );
  return wanted.map((key) => active.find((t) => t.key === key)!);
}

/**
 * Generates each type for the caller's project and stores it. `onProgress` hears each
 * type start and end. Out of credits before anything was generated is a 402.
 */
export async function generateProjectDocuments(
  ctx: Ctx,
  input: { projectId: string; documentTypes: string[]; context: PlanningContext },
  options: {
    signal?: AbortSignal;
    onProgress?: (
      type: string,
      state: DocumentProgress,
      outcome?: DocumentOutcome,
    ) => Promise<void>;
  } = {},
): Promise<GenerationOutcome> {
  requireUser(ctx);
  await requireProject(ctx, input.projectId);
  checkAnswers(input.context.answers);
  const types = await resolveDocumentTypes(ctx, input.documentTypes);
  const outcome: GenerationOutcome = { succeeded: [], failed: [] };
  const queue = [...types];
  const worker = async () => {
    for (let type = queue.shift(); type; type = queue.shift()) {
      if (options.signal?.aborted) throw options.signal.reason;
      await options.onProgress?.(type.key, 'generating');
      try {
        const content = await generate(ctx, documentRequest(input.context, type), options.signal);
        const saved = await saveProjectDocument(ctx, input.projectId, type.key, content);
        const done = { documentType: type.key, documentId: saved.id };
        outcome.succeeded.push(done);
        await options.onProgress?.(type.key, 'completed', done);
      } catch (error) {
        if (options.signal?.aborted) throw error;
        const failed = {
          documentType: type.key,
          error: error instanceof Error ? error.message : String(error),
          code: error instanceof DomainError ? error.code : 'internal',
        };
        outcome.failed.push(failed);
        await options.onProgress?.(type.key, 'failed', failed);
      }
    }
  };
  const slots = Math.min(ctx.config.codeguide.concurrency, types.length);
  await Promise.all(Array.from({ length: slots }, worker));
  if (
    outcome.succeeded.length === 0 &&
    outcome.failed.every((f) => f.code === 'insufficient_credits')
  )
    throw new DomainError(
      'insufficient_credits',
      'Not enough credits to generate these documents; nothing was generated or charged',
    );
  return outcome;
}

/** One line naming what failed and why, for the spec's `error` field. */
export function describeFailures(outcome: GenerationOutcome): string | undefined {
  if (outcome.failed.length === 0) return undefined;
  const failed = outcome.failed.map((f) => `${f.documentType} (${f.error})`).join('; ');
  const kept = outcome.succeeded.map((s) => s.documentType).join(', ');
  return `Failed to generate: ${failed}${kept ? `. Generated and saved: ${kept}` : ''}`;
}

export interface BackgroundGeneration {
  id: string;
  projectId: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  progress: Record<string, DocumentProgress>;
  results: Record<string, unknown>;
  error: string | null;
}

/**
 * Queues the generation of a project's documents (all active types unless named) as a
 * durable job: the row and its job are written in one transaction.
 */
export async function startBackgroundGeneration(
  ctx: Ctx,
  input: { projectId: string; documentTypes?: string[] },
): Promise<BackgroundGeneration> {
  const actor = requireUser(ctx);
  await requireProject(ctx, input.projectId);
  const types = input.documentTypes
    ? await resolveDocumentTypes(ctx, input.documentTypes)
    : await listDocumentTypes(ctx);
  if (types.length === 0) throw invalid('document_types', 'No document types are active');
  const balance = await getBalance(ctx, actor.userId);
  if (balance.remainingMicroUsd <= 0)
    throw new DomainError(
      'insufficient_credits',
      'No credits left in this billing cycle; background generation was not started',
    );
  const now = ctx.clock.now();
  const id = uuidv7(now);
  const progress = Object.fromEntries(types.map((t) => [t.key, 'pending']));
  await withTransaction(ctx, async (tx) => {
    await jobs.insertGenerationJob(tx, {
      id,
      tenant_id: actor.tenantId,
      user_id: actor.userId,
      project_id: input.projectId,
      document_types: JSON.stringify(types.map((t) => t.key)),
      status: 'pending',
      progress: JSON.stringify(progress),
      results: '{}',
      error: null,
      created_at: now,
      updated_at: now,
    });
    await enqueueJob(
      tx,
      { kind: GENERATE_DOCUMENTS_KIND, maxAttempts: GENERATE_DOCUMENTS_ATTEMPTS },
      { generationId: id },
      { tenantId: actor.tenantId },
    );
  });
  return toBackground((await jobs.findGenerationJob(ctx, id))!);
}

export const GENERATE_DOCUMENTS_KIND = 'documents.generate';
export const GENERATE_DOCUMENTS_ATTEMPTS = 3;

/** The caller's background generation, or 404 (anyone else's too). */
export async function getBackgroundGeneration(ctx: Ctx, id: string): Promise<BackgroundGeneration> {
  const actor = requireUser(ctx);
  const row = isUuid(id) ? await jobs.findUserGenerationJob(ctx, actor.userId, id) : undefined;
  if (!row) throw notFound('Job');
  return toBackground(row);
}

export function toBackground(row: jobs.GenerationJobRow): BackgroundGeneration {
  return {
    id: row.id,
    projectId: row.project_id,
    status: row.status as BackgroundGeneration['status'],
    progress: JSON.parse(row.progress),
    results: JSON.parse(row.results),
    error: row.error,
  };
}
