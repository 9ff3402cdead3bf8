/**
 * A periodic job that frees credits held by runs whose worker died mid-step. A live run
 * touches its account at every step, so an account idle for longer than any step can
 * take holds nothing live.
 */
import type { JobDefinition } from '../jobs/jobs.types.ts';
import { releaseIdleReservations } from './credits.repo.ts';

export const releaseReservationsJob: JobDefinition<Record<string, never>> = {
  kind: 'metering.release-reservations',
  maxAttempts: 1,
  backoff: { baseMs: 1000, maxMs: 1000 },
  timeoutMs: 60_000,
  schedule: { everyMs: 10 * 60_000, payload: {} },
  async handler(job) {
    const { ai } = job.ctx.config;
    const longestStep = ai.requestTimeoutMs * (ai.maxRetries + 1) + 60_000;
    const freed = await releaseIdleReservations(job.ctx, job.ctx.clock.now() - longestStep);
    if (freed > 0) job.ctx.log.warn({ accounts: freed }, 'released credit holds of dead runs');
  },
};
