/** Retrains the scaling model in the background (POST /ml/model/retrain, or when stale). */
import type { JobDefinition } from '../jobs/jobs.types.ts';
import { RETRAIN_JOB, type RetrainPayload } from './autoscale.types.ts';
import { retrainModel } from './retrain.service.ts';

export const retrainModelJob: JobDefinition<RetrainPayload> = {
  ...RETRAIN_JOB,
  backoff: { baseMs: 5000, maxMs: 60_000 },
  timeoutMs: 10 * 60_000,
  async handler(job) {
    await retrainModel(job.ctx, job.payload, job.record.id);
  },
};
