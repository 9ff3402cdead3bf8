/**
 * A periodic job that forgets what has expired on its own: deny-list entries (logouts)
 * refresh tokens past their lifetime and OpenID Connect logins never finished. Without it both tables only grow.
 */
import type { JobDefinition } from '../jobs/jobs.types.ts';
import { purgeExpiredTokens } from './identity.repo.ts';
import { purgeExpiredOidcLogins } from './oidc.repo.ts';

export const purgeTokensJob: JobDefinition<Record<string, never>> = {
  kind: 'identity.purge-tokens',
  maxAttempts: 1,
  backoff: { baseMs: 1000, maxMs: 1000 },
  timeoutMs: 60_000,
  schedule: { everyMs: 60 * 60_000, payload: {} },
  async handler(job) {
    await purgeExpiredTokens(job.ctx, job.ctx.clock.now());
    await purgeExpiredOidcLogins(job.ctx, job.ctx.clock.now());
  },
};
