/**
 * The autoscaler's tables (samples, decisions, models, desired state) and the queue
 * figures it samples: the only place its queries live.
 */
import type { Selectable } from 'kysely';
import type {
  AutoscaleDecisionsTable,
  AutoscaleModelsTable,
  AutoscaleSamplesTable,
  AutoscaleStateTable,
} from '../../db/autoscale-types.ts';
import type { Ctx } from '../context.ts';
import type {
  DesiredState,
  ForecastModel,
  PoolSample,
  ScalingAction,
  ScalingDecisionRecord,
  ScalingTrigger,
} from './autoscale.types.ts';

// ── samples ─────────────────────────────────────────────────────────────────

function toSample(row: Selectable<AutoscaleSamplesTable>): PoolSample {
  return {
    id: row.id,
    service: row.service,
    sampledAt: Number(row.sampled_at),
    intervalMs: row.interval_ms,
    queueDepth: row.queue_depth,
    running: row.running,
    arrivals: row.arrivals,
    completions: row.completions,
    arrivalRate: row.arrival_rate,
    completionRate: row.completion_rate,
    serviceTimeMs: row.service_time_ms,
    cpuUsage: row.cpu_usage,
    memoryUsage: row.memory_usage,
    currentWorkers: row.current_workers,
    desiredWorkers: row.desired_workers,
    trigger: row.trigger as ScalingTrigger,
    predictedArrivalRate: row.predicted_arrival_rate,
    modelVersion: row.model_version,
  };
}

/** Stores the sample of a slot unless another process already did; true when this one won. */
export async function insertSample(ctx: Ctx, sample: PoolSample, slot: number): Promise<boolean> {
  const result = await ctx.db
    .insertInto('autoscale_samples')
    .values({
      id: sample.id,
      service: sample.service,
      slot,
      sampled_at: sample.sampledAt,
      interval_ms: sample.intervalMs,
      queue_depth: sample.queueDepth,
      running: sample.running,
      arrivals: sample.arrivals,
      completions: sample.completions,
      arrival_rate: sample.arrivalRate,
      completion_rate: sample.completionRate,
      service_time_ms: sample.serviceTimeMs,
      cpu_usage: sample.cpuUsage,
      memory_usage: sample.memoryUsage,
      current_workers: sample.currentWorkers,
      desired_workers: sample.desiredWorkers,
      trigger: sample.trigger,
      predicted_arrival_rate: sample.predictedArrivalRate,
      model_version: sample.modelVersion,
    })
    .onConflict((oc) => oc.columns(['service', 'slot']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return result !== undefined;
}

/** Whether some process already sampled this slot (then this one only follows). */
export async function slotTaken(ctx: Ctx, service: string, slot: number): Promise<boolean> {
  const row = await ctx.db
    .selectFrom('autoscale_samples')
    .select('id')
    .where('service', '=', service)
    .where('slot', '=', slot)
    .executeTakeFirst();
  return row !== undefined;
}

/** Samples of a service since a time, oldest first. */
export async function listSamples(
  ctx: Ctx,
  service: string,
  since: number,
  until = Number.MAX_SAFE_INTEGER,
): Promise<PoolSample[]> {
  const rows = await ctx.db
    .selectFrom('autoscale_samples')
    .selectAll()
    .where('service', '=', service)
    .where('sampled_at', '>=', since)
    .where('sampled_at', '<=', until)
    .orderBy('sampled_at')
    .execute();
  return rows.map(toSample);
}

export async function latestSample(ctx: Ctx, service: string): Promise<PoolSample | undefined> {
  const row = await ctx.db
    .selectFrom('autoscale_samples')
    .selectAll()
    .where('service', '=', service)
    .orderBy('sampled_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toSample(row);
}

export async function pruneSamples(ctx: Ctx, before: number): Promise<void> {
  await ctx.db.deleteFrom('autoscale_samples').where('sampled_at', '<', before).execute();
}

// ── decisions ───────────────────────────────────────────────────────────────

function toDecision(row: Selectable<AutoscaleDecisionsTable>): ScalingDecisionRecord {
  return {
    id: row.id,
    service: row.service,
    decidedAt: Number(row.decided_at),
    action: row.action as ScalingAction,
    fromReplicas: row.from_replicas,
    toReplicas: row.to_replicas,
    trigger: row.trigger as ScalingTrigger,
    reason: row.reason,
    cpuUsage: row.cpu_usage,
    memoryUsage: row.memory_usage,
    requestRate: row.request_rate,
    queueDepth: row.queue_depth,
    modelVersion: row.model_version,
    userId: row.user_id,
  };
}

export async function insertDecision(ctx: Ctx, decision: ScalingDecisionRecord): Promise<void> {
  await ctx.db
    .insertInto('autoscale_decisions')
    .values({
      id: decision.id,
      service: decision.service,
      decided_at: decision.decidedAt,
      action: decision.action,
      from_replicas: decision.fromReplicas,
      to_replicas: decision.toReplicas,
      trigger: decision.trigger,
      reason: decision.reason,
      cpu_usage: decision.cpuUsage,
      memory_usage: decision.memoryUsage,
      request_rate: decision.requestRate,
      queue_depth: decision.queueDepth,
      model_version: decision.modelVersion,
      user_id: decision.userId,
    })
    .execute();
}

/** Decisions since a time, newest first, at most `limit` of them. */
export async function listDecisions(
  ctx: Ctx,
  service: string,
  since: number,
  limit: number,
): Promise<ScalingDecisionRecord[]> {
  const rows = await ctx.db
    .selectFrom('autoscale_decisions')
    .selectAll()
    .where('service', '=', service)
    .where('decided_at', '>=', since)
    .orderBy('decided_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toDecision);
}

export async function countDecisions(ctx: Ctx, service: string, since: number): Promise<number> {
  const row = await ctx.db
    .selectFrom('autoscale_decisions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('service', '=', service)
    .where('decided_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

// ── models ──────────────────────────────────────────────────────────────────

function toModel(row: Selectable<AutoscaleModelsTable>): ForecastModel {
  return {
    version: row.version,
    service: row.service,
    modelType: row.model_type,
    algorithm: row.algorithm,
    params: JSON.parse(row.params),
    accuracy: row.accuracy,
    samples: row.samples,
    trainingHours: row.training_hours,
    durationMs: row.duration_ms,
    jobId: row.job_id,
    trainedAt: Number(row.trained_at),
  };
}

export async function latestModel(ctx: Ctx, service: string): Promise<ForecastModel | undefined> {
  const row = await ctx.db
    .selectFrom('autoscale_models')
    .selectAll()
    .where('service', '=', service)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toModel(row);
}

/** Stores a model as the next version (call inside a transaction). */
export async function insertModel(
  ctx: Ctx,
  model: Omit<ForecastModel, 'version'>,
): Promise<ForecastModel> {
  const top = await ctx.db
    .selectFrom('autoscale_models')
    .select((eb) => eb.fn.max<number>('version').as('v'))
    .executeTakeFirst();
  const version = Number(top?.v ?? 0) + 1;
  await ctx.db
    .insertInto('autoscale_models')
    .values({
      version,
      service: model.service,
      model_type: model.modelType,
      algorithm: model.algorithm,
      params: JSON.stringify(model.params),
      accuracy: model.accuracy,
      samples: model.samples,
      training_hours: model.trainingHours,
      duration_ms: model.durationMs,
      job_id: model.jobId,
      trained_at: model.trainedAt,
    })
    .execute();
  return { ...model, version };
}

// ── desired state ───────────────────────────────────────────────────────────

export async function getState(ctx: Ctx, service: string): Promise<DesiredState | undefined> {
  const row = await ctx.db
    .selectFrom('autoscale_state')
    .selectAll()
    .where('service', '=', service)
    .executeTakeFirst();
  return row && toState(row);
}

function toState(row: Selectable<AutoscaleStateTable>): DesiredState {
  return {
    service: row.service,
    desiredWorkers: row.desired_workers,
    trigger: row.trigger as ScalingTrigger,
    reason: row.reason,
    manualUntil: row.manual_until === null ? null : Number(row.manual_until),
    updatedAt: Number(row.updated_at),
  };
}

export async function putState(ctx: Ctx, state: DesiredState): Promise<void> {
  const values = {
    desired_workers: state.desiredWorkers,
    trigger: state.trigger,
    reason: state.reason,
    manual_until: state.manualUntil,
    updated_at: state.updatedAt,
  };
  await ctx.db
    .insertInto('autoscale_state')
    .values({ service: state.service, ...values })
    .onConflict((oc) => oc.column('service').doUpdateSet(values))
    .execute();
}

// ── the queue, as the sampler sees it ───────────────────────────────────────

/** Jobs due and waiting, and jobs running, right now (scheduled-for-later jobs excluded). */
export async function queueNow(
  ctx: Ctx,
  now: number,
): Promise<{ queueDepth: number; running: number }> {
  const row = await ctx.db
    .selectFrom('jobs')
    .select((eb) => [
      eb.fn
        .sum<number>(
          eb
            .case()
            .when(eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]))
            .then(1)
            .else(0)
            .end(),
        )
        .as('queued'),
      eb.fn
        .sum<number>(eb.case().when('status', '=', 'running').then(1).else(0).end())
        .as('running'),
    ])
    .where('status', 'in', ['queued', 'running'])
    .executeTakeFirst();
  return { queueDepth: Number(row?.queued ?? 0), running: Number(row?.running ?? 0) };
}

/** Jobs created and jobs finished in (from, to]. */
export async function flowBetween(
  ctx: Ctx,
  from: number,
  to: number,
): Promise<{ arrivals: number; completions: number }> {
  const arrivals = await ctx.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('created_at', '>', from)
    .where('created_at', '<=', to)
    .executeTakeFirst();
  const completions = await ctx.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('finished_at', '>', from)
    .where('finished_at', '<=', to)
    .executeTakeFirst();
  return { arrivals: Number(arrivals?.n ?? 0), completions: Number(completions?.n ?? 0) };
}

/** Mean time from start to finish of the jobs that succeeded since `since` (ms), if any. */
export async function meanServiceTime(ctx: Ctx, since: number): Promise<number | null> {
  const row = await ctx.db
    .selectFrom('jobs')
    .select((eb) => [
      eb.fn.avg<number>(eb('finished_at', '-', eb.ref('started_at'))).as('mean'),
      eb.fn.countAll<number>().as('n'),
    ])
    .where('status', '=', 'succeeded')
    .where('finished_at', '>', since)
    .where('started_at', 'is not', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0) > 0 && row?.mean !== null ? Number(row?.mean) : null;
}

/** Live worker processes (registry rows heartbeating since `aliveSince`) and their slots. */
export async function liveWorkers(
  ctx: Ctx,
  aliveSince: number,
): Promise<{ id: string; concurrency: number }[]> {
  return ctx.db
    .selectFrom('workers')
    .select(['id', 'concurrency'])
    .where('stopped_at', 'is', null)
    .where('heartbeat_at', '>=', aliveSince)
    .orderBy('id')
    .execute();
}

/** The newest queued or running job of a kind (a retrain already under way). */
export async function activeJobOfKind(ctx: Ctx, kind: string): Promise<string | undefined> {
  const row = await ctx.db
    .selectFrom('jobs')
    .select('id')
    .where('kind', '=', kind)
    .where('status', 'in', ['queued', 'running'])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}
