/**
 * Applying decisions: the controller's tick (sample, decide, record, publish), an
 * operator's manual size, and the published desired count every process follows.
 */
import { type Ctx, withTransaction } from '../context.ts';
import { DomainError, forbidden } from '../errors.ts';
import { recordEvent } from '../events/outbox.ts';
import { requireUser } from '../identity/users.service.ts';
import { enqueueJob } from '../jobs/queue.ts';
import { isoTime } from '../shared/clock.ts';
import { uuidv7 } from '../shared/ids.ts';
import * as repo from './autoscale.repo.ts';
import {
  type DesiredState,
  type ForecastModel,
  MODEL_TYPE,
  POOL_SERVICE,
  type PoolMeasurement,
  RETRAIN_JOB,
  type RetrainPayload,
  SCALING_EVENT_TYPE,
  type ScalingEventPayload,
  type ScalingTrigger,
} from './autoscale.types.ts';
import { decide, round3 } from './decide.ts';
import { currentSlots, poolLimits, recentHistory } from './pool.ts';

/** History kept: the spec's longest window (168 h) plus a day. */
const RETENTION_MS = (168 + 24) * 3600_000;

/**
 * One controller tick: stores the sample of this slot with its decision (only the first
 * process to reach the slot does; the others just follow), and when the size changes,
 * records the decision, publishes the new desired count and the scaling event.
 * Returns the desired state every process should now follow.
 */
export async function recordTick(
  ctx: Ctx,
  latest: PoolMeasurement,
): Promise<{ state: DesiredState | undefined; won: boolean }> {
  const now = latest.sampledAt;
  const slot = Math.floor(now / ctx.config.autoscale.sampleMs);
  // Another process already decided this interval: skip the forecast, just follow.
  if (await repo.slotTaken(ctx, POOL_SERVICE, slot))
    return { state: await repo.getState(ctx, POOL_SERVICE), won: false };
  const [history, model, previous] = await Promise.all([
    recentHistory(ctx, now - 1),
    repo.latestModel(ctx, POOL_SERVICE),
    repo.getState(ctx, POOL_SERVICE),
  ]);
  const decision = await decide(ctx, latest, history, model, previous);
  const won = await withTransaction(ctx, async (tx) => {
    const inserted = await repo.insertSample(
      tx,
      {
        ...latest,
        id: uuidv7(now),
        service: POOL_SERVICE,
        desiredWorkers: decision.desired,
        trigger: decision.trigger,
        predictedArrivalRate: decision.predictedArrivalRate,
        modelVersion: decision.modelVersion,
      },
      slot,
    );
    if (!inserted) return false;
    const from = previous?.desiredWorkers ?? (latest.currentWorkers || decision.desired);
    if (decision.desired !== from && decision.trigger !== 'manual') {
      await publishDecision(tx, {
        from,
        to: decision.desired,
        trigger: decision.trigger,
        reason: decision.reason,
        latest,
        modelVersion: decision.modelVersion,
        userId: null,
      });
    }
    if (
      !previous ||
      decision.desired !== previous.desiredWorkers ||
      decision.trigger !== previous.trigger
    )
      await repo.putState(tx, {
        service: POOL_SERVICE,
        desiredWorkers: decision.desired,
        trigger: decision.trigger,
        reason: decision.reason,
        manualUntil: previous?.manualUntil ?? null,
        updatedAt: now,
      });
    return true;
  });
  if (won) await housekeeping(ctx, model, history.length + 1);
  return { state: await repo.getState(ctx, POOL_SERVICE), won };
}

async function publishDecision(
  tx: Ctx,
  d: {
    from: number;
    to: number;
    trigger: ScalingTrigger;
    reason: string;
    latest: Pick<PoolMeasurement, 'cpuUsage' | 'memoryUsage' | 'arrivalRate' | 'queueDepth'>;
    modelVersion: number | null;
    userId: number | null;
  },
): Promise<void> {
  const now = tx.clock.now();
  const action = d.to > d.from ? 'scale_up' : 'scale_down';
  await repo.insertDecision(tx, {
    id: uuidv7(now),
    service: POOL_SERVICE,
    decidedAt: now,
    action,
    fromReplicas: d.from,
    toReplicas: d.to,
    trigger: d.trigger,
    reason: d.reason,
    cpuUsage: d.latest.cpuUsage,
    memoryUsage: d.latest.memoryUsage,
    requestRate: round3(d.latest.arrivalRate),
    queueDepth: d.latest.queueDepth,
    modelVersion: d.modelVersion,
    userId: d.userId,
  });
  const payload: ScalingEventPayload = {
    service: POOL_SERVICE,
    action,
    from_replicas: d.from,
    to_replicas: d.to,
    reason: d.reason,
    timestamp: isoTime(now),
  };
  await recordEvent(tx, { type: SCALING_EVENT_TYPE, tenantId: null, userId: null, payload });
}

/** Old samples go; a stale or missing model is retrained once enough history exists. */
async function housekeeping(
  ctx: Ctx,
  model: ForecastModel | undefined,
  samples: number,
): Promise<void> {
  const now = ctx.clock.now();
  const { modelFreshMs, minHistory } = ctx.config.autoscale;
  await repo.pruneSamples(ctx, now - RETENTION_MS);
  if (samples < minHistory) return;
  if (model && now - model.trainedAt < modelFreshMs) return;
  if (await repo.activeJobOfKind(ctx, RETRAIN_JOB.kind)) return;
  const period = Math.max(modelFreshMs, ctx.config.autoscale.sampleMs);
  await enqueueJob(
    ctx,
    RETRAIN_JOB,
    {
      modelType: MODEL_TYPE,
      trainingHours: 168,
      force: false,
      requestedBy: null,
    } satisfies RetrainPayload,
    { dedupeKey: `${RETRAIN_JOB.kind}@${Math.floor(now / period)}` },
  );
}

/**
 * An operator sets the pool's size by hand: applied by every process at once, recorded
 * with trigger `manual`, and held for TASKLANE_AUTOSCALE_MANUAL_HOLD_MS. Admins only.
 */
export async function setDesiredWorkers(
  ctx: Ctx,
  input: { workers: number; reason?: string },
): Promise<DesiredState> {
  // Operators at the command line act as the system; users must be administrators.
  const actor = ctx.actor.kind === 'system' ? undefined : requireUser(ctx);
  if (actor && actor.role !== 'admin')
    throw forbidden('Only administrators can scale the worker pool');
  const limits = poolLimits(ctx);
  if (!Number.isInteger(input.workers) || input.workers < limits.min || input.workers > limits.max)
    throw new DomainError(
      'validation',
      `workers must be a whole number between ${limits.min} and ${limits.max}`,
      { field: 'workers', issue: `between ${limits.min} and ${limits.max}` },
    );
  const now = ctx.clock.now();
  return withTransaction(ctx, async (tx) => {
    const previous = await repo.getState(tx, POOL_SERVICE);
    const latest = await repo.latestSample(tx, POOL_SERVICE);
    const from = previous?.desiredWorkers ?? (await currentSlots(tx));
    const reason = input.reason?.trim() || `Set to ${input.workers} by an administrator`;
    const state: DesiredState = {
      service: POOL_SERVICE,
      desiredWorkers: input.workers,
      trigger: 'manual',
      reason,
      manualUntil: now + ctx.config.autoscale.manualHoldMs,
      updatedAt: now,
    };
    if (from !== input.workers)
      await publishDecision(tx, {
        from,
        to: input.workers,
        trigger: 'manual',
        reason,
        latest: {
          cpuUsage: latest?.cpuUsage ?? 0,
          memoryUsage: latest?.memoryUsage ?? 0,
          arrivalRate: latest?.arrivalRate ?? 0,
          queueDepth: latest?.queueDepth ?? 0,
        },
        modelVersion: null,
        userId: actor?.userId ?? null,
      });
    await repo.putState(tx, state);
    return state;
  });
}

/** The desired pool size as published (for the Prometheus gauge); undefined before any. */
export async function desiredWorkers(ctx: Ctx): Promise<number | undefined> {
  return (await repo.getState(ctx, POOL_SERVICE))?.desiredWorkers;
}
