/**
 * The autoscaler's vocabulary: pool samples, scaling decisions, fitted models, and the
 * payload of the scaling event other parts subscribe to.
 */

/** The one service scaled: Tasklane's own worker pool (every process's job slots). */
export const POOL_SERVICE = 'worker';

/** What moved the pool: the forecast, the fallback rule, or an operator. */
export type ScalingTrigger = 'ml_prediction' | 'threshold' | 'manual';
export type ScalingAction = 'scale_up' | 'scale_down';

/** One sample of the pool over one sampling interval. */
export interface PoolSample {
  id: string;
  service: string;
  sampledAt: number;
  intervalMs: number;
  /** Jobs due and waiting for a slot at the end of the interval. */
  queueDepth: number;
  running: number;
  /** Jobs enqueued (due) and finished during the interval, and per second. */
  arrivals: number;
  completions: number;
  arrivalRate: number;
  completionRate: number;
  /** Mean run time of the jobs finished recently (ms); null when none finished. */
  serviceTimeMs: number | null;
  /** Host CPU and memory in percent (of the process that took the sample). */
  cpuUsage: number;
  memoryUsage: number;
  /** Job slots of live workers when sampled, and the count decided at that time. */
  currentWorkers: number;
  desiredWorkers: number;
  trigger: ScalingTrigger;
  /** Forecast mean arrival rate over the horizon (for accuracy_rate); null without a model. */
  predictedArrivalRate: number | null;
  modelVersion: number | null;
}

/** The figures of one sample before a decision is attached. */
export type PoolMeasurement = Omit<
  PoolSample,
  'id' | 'service' | 'desiredWorkers' | 'trigger' | 'predictedArrivalRate' | 'modelVersion'
>;

export interface ScalingDecisionRecord {
  id: string;
  service: string;
  decidedAt: number;
  action: ScalingAction;
  fromReplicas: number;
  toReplicas: number;
  trigger: ScalingTrigger;
  reason: string;
  cpuUsage: number;
  memoryUsage: number;
  /** Job arrivals per second at the pool (the spec's `request_rate`). */
  requestRate: number;
  queueDepth: number;
  modelVersion: number | null;
  userId: number | null;
}

/** ARIMA order chosen at training time; coefficients are refitted on recent history. */
export interface ArimaParams {
  p: number;
  d: number;
  q: number;
}

export interface ForecastModel {
  version: number;
  service: string;
  modelType: string;
  algorithm: string;
  params: ArimaParams;
  /** 1 − WAPE on the holdout window at training time, in [0, 1]. */
  accuracy: number;
  samples: number;
  trainingHours: number;
  durationMs: number;
  jobId: string | null;
  trainedAt: number;
}

/** The desired pool size every worker process follows (published, also as a gauge). */
export interface DesiredState {
  service: string;
  desiredWorkers: number;
  trigger: ScalingTrigger;
  reason: string;
  manualUntil: number | null;
  updatedAt: number;
}

/** What the predictor says now (GET /ml/scaling/predictions). */
export interface ScalingPrediction {
  service: string;
  currentReplicas: number;
  predictedReplicas: number;
  /** Probability the predicted count keeps up with the forecast; null on the fallback rule. */
  confidence: number | null;
  reason: string;
  trigger: Exclude<ScalingTrigger, 'manual'> | 'manual';
  horizonMs: number;
  predictedArrivalRate: number | null;
}

export interface PredictionReport {
  at: number;
  predictions: ScalingPrediction[];
  model: ForecastModel | undefined;
}

export interface ScalingHistory {
  decisions: ScalingDecisionRecord[];
  total: number;
  /** Share of evaluable past forecasts within tolerance; null when none can be judged yet. */
  accuracyRate: number | null;
}

/** Event type of a scaling decision in the outbox. */
export const SCALING_EVENT_TYPE = 'autoscale.scaled';

/**
 * The payload of every `autoscale.scaled` event: exactly the `data` of AutoServe's
 * `scaling_event` WebSocket message, so a forwarder sends it as is. Global (no tenant,
 * no user): the pool is shared by everyone.
 */
export interface ScalingEventPayload {
  [key: string]: unknown;
  service: string;
  action: ScalingAction;
  from_replicas: number;
  to_replicas: number;
  reason: string;
  /** ISO 8601 UTC. */
  timestamp: string;
}

export interface RetrainPayload {
  modelType: string;
  trainingHours: number;
  force: boolean;
  requestedBy: number | null;
}

export interface RetrainRequestOutcome {
  status: 'started' | 'skipped';
  jobId: string;
  /** How long the job is expected to take (ms), from the last retrain's duration. */
  estimatedMs: number;
  message: string;
}

/** The retrain job's kind and attempts (its handler lives in retrain.job.ts). */
export const RETRAIN_JOB = { kind: 'autoscale.retrain', maxAttempts: 3 } as const;

/** The only model this controller trains (the spec's `model_type`). */
export const MODEL_TYPE = 'scaling_predictor';
