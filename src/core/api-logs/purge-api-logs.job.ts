/**
 * Hourly: the API usage log keeps `TASKLANE_API_LOG_RETENTION_DAYS` days (0 keeps it
 * all). Deleted in bounded batches so a large backlog never holds one long transaction.
 */
import type { JobDefinition } from '../jobs/jobs.types.ts';
import { deleteApiUsageLogsBefore } from './api-usage-logs.repo.ts';

const DAY_MS = 86_400_000;
const BATCH = 5000;

export const purgeApiLogsJob: JobDefinition<Record<string, never>> = {
  kind: 'api-logs.purge',
  maxAttempts: 1,
  backoff: { baseMs: 1000, maxMs: 1000 },
  timeoutMs: 10 * 60_000,
  schedule: { everyMs: 60 * 60_000, payload: {} },
  async handler(job) {
    const days = job.ctx.config.apiLogs.retentionDays;
    if (days === 0) return;
    const cutoff = job.ctx.clock.now() - days * DAY_MS;
    while ((await deleteApiUsageLogsBefore(job.ctx, cutoff, BATCH)) === BATCH) {
      if (job.signal.aborted) return;
    }
  },
};
