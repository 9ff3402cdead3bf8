/** Settings of the AutoServe surface: upload size and the WebSocket's metrics cadence. */
import type { EnvReader } from './env-reader.ts';

export interface AutoServeConfig {
  /** Largest file POST /files/upload accepts, in bytes (413 beyond). */
  uploadMaxBytes: number;
  /** How often /ws/events pushes `system_metrics` to a connected client. */
  wsMetricsIntervalMs: number;
}

export function readAutoServeConfig(read: EnvReader): AutoServeConfig {
  return {
    uploadMaxBytes: read.int('TASKLANE_UPLOAD_MAX_BYTES', 100 * 1024 * 1024, { min: 1 }),
    wsMetricsIntervalMs: read.int('TASKLANE_WS_METRICS_INTERVAL_MS', 5_000, {
      min: 100,
      max: 3_600_000,
    }),
  };
}
