/**
 * Job kind `documents.generate`: a background generation of a project's documents, as
 * its owner, with progress per document type written as it goes (fenced by the job's
 * lease). A retried job (its worker died, the server restarted) skips the types
 * already completed, so nothing is generated or charged twice. The end is announced
 * in the outbox (document_generation.completed / .failed), which makes the owner's
 * notification and webhook deliveries.
 */
import type { Ctx } from '../context.ts';
import { recordEvent } from '../events/outbox.ts';
import { actAsUser } from '../identity/auth.service.ts';
import type { JobDefinition, RunningJob } from '../jobs/jobs.types.ts';
import { getProject } from '../projects/projects.service.ts';
import {
  type BackgroundGeneration,
  type DocumentProgress,
  describeFailures,
  GENERATE_DOCUMENTS_ATTEMPTS,
  GENERATE_DOCUMENTS_KIND,
  generateProjectDocuments,
  toBackground,
} from './documents.service.ts';
import * as repo from './generation-jobs.repo.ts';

export interface GenerateDocumentsPayload {
  generationId: string;
}

export const generateDocumentsJob: JobDefinition<GenerateDocumentsPayload> = {
  kind: GENERATE_DOCUMENTS_KIND,
  maxAttempts: GENERATE_DOCUMENTS_ATTEMPTS,
  backoff: { baseMs: 2000, maxMs: 30_000 },
  timeoutMs: 30 * 60_000,
  handler: perform,
  async onDead(tx, job, error) {
    await finish(tx, job.payload.generationId, { status: 'failed', error });
  },
  async onCancelled(tx, job) {
    await finish(tx, job.payload.generationId, { status: 'failed', error: 'Cancelled' });
  },
};

async function perform(job: RunningJob<GenerateDocumentsPayload>): Promise<void> {
  const id = job.payload.generationId;
  const row = await repo.findGenerationJob(job.ctx, id);
  if (!row || row.status === 'completed' || row.status === 'failed') return job.complete();
  const current = toBackground(row);
  const owner = await actAsUser(job.ctx, row.user_id);
  const project = owner && (await getProject(owner, row.project_id).catch(() => undefined));
  if (!owner || !project) {
    return job.complete((tx) =>
      finish(tx, id, { status: 'failed', error: 'The project or its owner no longer exists' }),
    );
  }
  const progress = current.progress;
  const results = current.results;
  const todo = Object.keys(progress).filter((type) => progress[type] !== 'completed');
  await job.withLease((tx) => save(tx, id, { status: 'running', progress }));

  // Progress writes are serialised: each writes the whole (small) progress object.
  let writes = Promise.resolve();
  const onProgress = (
    type: string,
    state: DocumentProgress,
    outcome?: { documentId?: string; error?: string },
  ) => {
    progress[type] = state;
    if (state === 'completed')
      results[type] = { status: 'completed', document_id: outcome?.documentId };
    if (state === 'failed') results[type] = { status: 'failed', error: outcome?.error };
    writes = writes.then(() => job.withLease((tx) => save(tx, id, { progress, results })));
    return writes;
  };
  const questionnaire = (project.aiQuestionaire ?? {}) as Record<string, unknown>;
  let outcome: Awaited<ReturnType<typeof generateProjectDocuments>> | undefined;
  let error: string | undefined;
  try {
    outcome =
      todo.length === 0
        ? { succeeded: [], failed: [] }
        : await generateProjectDocuments(
            owner,
            {
              projectId: project.id,
              documentTypes: todo,
              context: {
                title: project.title,
                description: project.description,
                selectedTools: project.toolsSelected,
                answers: questionnaire,
                outline: project.projectOutline
                  ? JSON.stringify(project.projectOutline)
                  : undefined,
              },
            },
            { signal: job.signal, onProgress },
          );
  } catch (failure) {
    if (job.signal.aborted) throw failure;
    error = failure instanceof Error ? failure.message : String(failure);
    for (const type of todo) if (progress[type] !== 'completed') progress[type] = 'failed';
  }
  await writes;
  const anyCompleted = Object.values(progress).some((state) => state === 'completed');
  const failures = outcome ? describeFailures(outcome) : undefined;
  await job.complete((tx) =>
    finish(tx, id, {
      status: anyCompleted ? 'completed' : 'failed',
      error: error ?? failures ?? null,
      progress,
      results,
    }),
  );
}

function save(
  tx: Ctx,
  id: string,
  changes: { status?: string; progress?: object; results?: object; error?: string | null },
) {
  return repo.updateGenerationJob(tx, id, {
    ...(changes.status ? { status: changes.status } : {}),
    ...(changes.progress ? { progress: JSON.stringify(changes.progress) } : {}),
    ...(changes.results ? { results: JSON.stringify(changes.results) } : {}),
    ...(changes.error !== undefined ? { error: changes.error } : {}),
    updated_at: tx.clock.now(),
  });
}

/** Closes a generation that is still open and announces how it ended. */
async function finish(
  tx: Ctx,
  id: string,
  end: {
    status: 'completed' | 'failed';
    error: string | null;
    progress?: BackgroundGeneration['progress'];
    results?: BackgroundGeneration['results'];
  },
): Promise<void> {
  const row = await repo.findGenerationJob(tx, id);
  if (!row || row.status === 'completed' || row.status === 'failed') return;
  const progress = end.progress ?? JSON.parse(row.progress);
  if (end.status === 'failed' && !end.progress)
    for (const type of Object.keys(progress))
      if (progress[type] !== 'completed') progress[type] = 'failed';
  await save(tx, id, { status: end.status, progress, results: end.results, error: end.error });
  const succeeded = Object.keys(progress).filter((type) => progress[type] === 'completed');
  const failed = Object.keys(progress).filter((type) => progress[type] !== 'completed');
  await recordEvent(tx, {
    type: `document_generation.${end.status}`,
    tenantId: row.tenant_id,
    userId: row.user_id,
    subjectId: row.id,
    payload: {
      job_id: row.id,
      project_id: row.project_id,
      status: end.status,
      succeeded,
      failed,
      error: end.error,
    },
  });
}
