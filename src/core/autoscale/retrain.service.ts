/**
 * Retraining the forecasting model: the request (admins; skipped while the model is
 * fresh, never doubled) and the durable job's work.
 */
import { type Ctx, withTransaction } from '../context.ts';
import { DomainError, forbidden } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { enqueueJob } from '../jobs/queue.ts';
import * as repo from './autoscale.repo.ts';
import {
  type ForecastModel,
  MODEL_TYPE,
  POOL_SERVICE,
  RETRAIN_JOB,
  type RetrainPayload,
  type RetrainRequestOutcome,
} from './autoscale.types.ts';
import { formatSpan, round3 } from './decide.ts';
import { selectOrder } from './forecaster.ts';
import { horizonSteps, idleRate } from './pool.ts';

/** Expected retrain time before any retrain has been timed. */
const DEFAULT_RETRAIN_MS = 60_000;

/**
 * POST /ml/model/retrain: starts the durable retrain job, or says why not. Admins only
 * (the spec puts the ML controller on its own operator host; retraining changes how the
 * whole platform's workers scale). A retrain already under way is returned, not doubled.
 */
export async function requestRetrain(
  ctx: Ctx,
  input: { modelType: string; trainingHours: number; force: boolean },
): Promise<RetrainRequestOutcome> {
  const actor = requireUser(ctx);
  if (actor.role !== 'admin') throw forbidden('Only administrators can retrain the scaling model');
  if (input.modelType !== MODEL_TYPE)
    throw new DomainError('validation', `model_type must be "${MODEL_TYPE}"`, {
      field: 'model_type',
      issue: `must be "${MODEL_TYPE}"`,
    });
  const now = ctx.clock.now();
  const model = await repo.latestModel(ctx, POOL_SERVICE);
  const estimatedMs = Math.max(1000, model?.durationMs ?? DEFAULT_RETRAIN_MS);
  if (
    !input.force &&
    model &&
    model.jobId &&
    now - model.trainedAt < ctx.config.autoscale.modelFreshMs
  ) {
    return {
      status: 'skipped',
      jobId: model.jobId,
      estimatedMs: 0,
      message: `Model ${model.version} was trained ${formatSpan(now - model.trainedAt)} ago and is still fresh; set force_retrain to retrain anyway`,
    };
  }
  const running = await repo.activeJobOfKind(ctx, RETRAIN_JOB.kind);
  if (running)
    return {
      status: 'started',
      jobId: running,
      estimatedMs,
      message: 'Model retraining already in progress',
    };
  const job = await enqueueJob(ctx, RETRAIN_JOB, {
    modelType: input.modelType,
    trainingHours: input.trainingHours,
    force: input.force,
    requestedBy: actor.userId,
  } satisfies RetrainPayload);
  if (!job) throw new DomainError('internal', 'The retrain job could not be queued');
  return { status: 'started', jobId: job.id, estimatedMs, message: 'Model retraining started' };
}

/**
 * The retrain job's work: fits the candidate ARIMA orders on the training window,
 * keeps the one that forecasts the holdout best as the next model version. Returns
 * undefined (and says why in the log) when there is too little history or the model is
 * still fresh and the retrain was not forced.
 */
export async function retrainModel(
  ctx: Ctx,
  payload: RetrainPayload,
  jobId: string,
): Promise<ForecastModel | undefined> {
  const started = Date.now();
  const now = ctx.clock.now();
  const { minHistory, modelFreshMs } = ctx.config.autoscale;
  const current = await repo.latestModel(ctx, POOL_SERVICE);
  if (
    !payload.force &&
    current &&
    current.jobId !== jobId &&
    now - current.trainedAt < modelFreshMs
  ) {
    ctx.log.info({ version: current.version }, 'scaling model is fresh; retrain skipped');
    return undefined;
  }
  const samples = await repo.listSamples(
    ctx,
    POOL_SERVICE,
    now - payload.trainingHours * 3600_000,
    now,
  );
  const series = samples.map((s) => s.arrivalRate);
  const holdout = Math.min(
    Math.max(horizonSteps(ctx), Math.ceil(series.length * 0.2)),
    series.length - 20,
  );
  if (series.length < minHistory || holdout < 1) {
    ctx.log.warn(
      { samples: series.length, needed: minHistory },
      'too little history to train the scaling model',
    );
    return undefined;
  }
  const chosen = await selectOrder(series, holdout, idleRate(ctx));
  if (!chosen) {
    ctx.log.warn({ samples: series.length }, 'no ARIMA order could be fitted to the history');
    return undefined;
  }
  return withTransaction(ctx, (tx) =>
    repo.insertModel(tx, {
      service: POOL_SERVICE,
      modelType: payload.modelType,
      algorithm: 'arima',
      params: chosen.params,
      accuracy: round3(chosen.accuracy),
      samples: series.length,
      trainingHours: payload.trainingHours,
      durationMs: Date.now() - started,
      jobId,
      trainedAt: now,
    }),
  );
}
