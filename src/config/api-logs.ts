/** The API usage log (every authenticated request on every surface; CodeGuide lists it). */
import type { EnvReader } from './env-reader.ts';

export interface ApiLogsConfig {
  enabled: boolean;
  /** Rows older than this are purged hourly; 0 keeps them forever. */
  retentionDays: number;
  /** How long a recorded call may wait in memory before its batch is written. */
  flushMs: number;
}

export function readApiLogsConfig(read: EnvReader): ApiLogsConfig {
  return {
    enabled: read.bool('TASKLANE_API_LOG_ENABLED', true),
    retentionDays: read.int('TASKLANE_API_LOG_RETENTION_DAYS', 90, { min: 0, max: 36_500 }),
    flushMs: read.int('TASKLANE_API_LOG_FLUSH_MS', 1000, { min: 10, max: 60_000 }),
  };
}
