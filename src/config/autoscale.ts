/** The worker-pool autoscaler (src/core/autoscale): sampling, forecasting, limits. */
import { ConfigError, type EnvReader } from './env-reader.ts';

export interface AutoscaleConfig {
  /** Whether `serve` and `worker` run the sampler and apply its decisions. */
  enabled: boolean;
  /** How often the pool is sampled and a decision taken. */
  sampleMs: number;
  /** Bounds of the pool's job slots (across every worker process). */
  minWorkers: number;
  maxWorkers: number;
  /** The expected queue wait the predictor sizes the pool for. */
  targetWaitMs: number;
  /** How far ahead the forecast looks (the spec's `prediction_horizon`). */
  horizonMs: number;
  /** Samples needed before a model is fitted; fewer → the threshold rule, said in `reason`. */
  minHistory: number;
  /** A model younger than this is "fresh": `force_retrain: false` skips retraining. */
  modelFreshMs: number;
  /** Relative error within which a past forecast counts as accurate (`accuracy_rate`). */
  tolerance: number;
  /** How long a manual decision holds before the controller decides again. */
  manualHoldMs: number;
}

export function readAutoscaleConfig(read: EnvReader, workers: number): AutoscaleConfig {
  const minWorkers = read.int('TASKLANE_AUTOSCALE_MIN_WORKERS', 1, { min: 1, max: 1024 });
  const maxWorkers = read.int('TASKLANE_AUTOSCALE_MAX_WORKERS', Math.max(minWorkers, workers), {
    min: 1,
    max: 1024,
  });
  if (maxWorkers < minWorkers)
    throw new ConfigError(
      `TASKLANE_AUTOSCALE_MAX_WORKERS (${maxWorkers}) must be at least TASKLANE_AUTOSCALE_MIN_WORKERS (${minWorkers})`,
    );
  return {
    enabled: read.bool('TASKLANE_AUTOSCALE', true),
    sampleMs: read.int('TASKLANE_AUTOSCALE_SAMPLE_MS', 15_000, { min: 100, max: 3_600_000 }),
    minWorkers,
    maxWorkers,
    targetWaitMs: read.int('TASKLANE_AUTOSCALE_TARGET_WAIT_MS', 5_000, { min: 1 }),
    horizonMs: read.int('TASKLANE_AUTOSCALE_HORIZON_MS', 300_000, { min: 100, max: 86_400_000 }),
    minHistory: read.int('TASKLANE_AUTOSCALE_MIN_HISTORY', 30, { min: 20, max: 100_000 }),
    modelFreshMs: read.int('TASKLANE_AUTOSCALE_MODEL_FRESH_MS', 3_600_000, { min: 0 }),
    tolerance: read.number('TASKLANE_AUTOSCALE_TOLERANCE', 0.2, { min: 0, max: 10 }),
    manualHoldMs: read.int('TASKLANE_AUTOSCALE_MANUAL_HOLD_MS', 900_000, { min: 0 }),
  };
}
