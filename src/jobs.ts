/**
 * The job catalog: every capability's job kinds, assembled for the workers. A
 * composition root (beside app.ts): the queue itself knows no kinds.
 */

import { agentRunJob } from './core/agents/agent-run.job.ts';
import { purgeApiLogsJob } from './core/api-logs/purge-api-logs.job.ts';
import { retrainModelJob } from './core/autoscale/retrain.job.ts';
import type { Runtime } from './core/context.ts';
import { generateDocumentsJob } from './core/docs/generate-documents.job.ts';
import { purgeTokensJob } from './core/identity/purge-tokens.job.ts';
import type { JobCatalog, JobDefinition } from './core/jobs/jobs.types.ts';
import { Worker } from './core/jobs/worker.ts';
import { releaseReservationsJob } from './core/metering/release-reservations.job.ts';
import { analyzeRepositoryJob } from './core/repository-analysis/analyze-repository.job.ts';
import { runTaskJob } from './core/tasks/run-task.job.ts';
import { webhookDeliveryJob } from './core/webhooks/delivery.job.ts';

export function buildJobCatalog(extra: JobDefinition<unknown>[] = []): JobCatalog {
  const definitions: JobDefinition<unknown>[] = [
    runTaskJob,
    releaseReservationsJob as JobDefinition<unknown>,
    purgeTokensJob as JobDefinition<unknown>,
    purgeApiLogsJob as JobDefinition<unknown>,
    agentRunJob as JobDefinition<unknown>,
    webhookDeliveryJob as JobDefinition<unknown>,
    retrainModelJob as JobDefinition<unknown>,
    generateDocumentsJob as JobDefinition<unknown>,
    analyzeRepositoryJob as JobDefinition<unknown>,
    ...extra,
  ];
  return new Map(definitions.map((d) => [d.kind, d]));
}

/** Starts a worker with `concurrency` job slots over the whole catalog (0: none). */
export async function startWorker(
  runtime: Runtime,
  concurrency: number,
  extra: JobDefinition<unknown>[] = [],
): Promise<Worker | undefined> {
  if (concurrency <= 0) return undefined;
  const worker = new Worker(runtime, buildJobCatalog(extra), { concurrency });
  await worker.start();
  return worker;
}
