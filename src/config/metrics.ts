/** Who may read the Prometheus endpoint, GET /metrics. */
import { ConfigError, type EnvReader } from './env-reader.ts';

/**
 * `public`: anyone; `loopback`: clients on this machine (127.0.0.0/8, ::1), or anyone
 * with the token when one is set; `token`: only `Authorization: Bearer <token>`.
 */
export type MetricsAccess = 'public' | 'loopback' | 'token';

export interface MetricsConfig {
  access: MetricsAccess;
  /** A bearer token that is always let in, whatever `access` says. */
  token: string | undefined;
}

/**
 * Metrics name routes, volumes and process internals, so production keeps them private by
 * default: the token when one is configured, otherwise loopback only. Development keeps
 * them public, as they always were.
 */
export function readMetricsConfig(read: EnvReader): MetricsConfig {
  const token = read.optionalSecret('TASKLANE_METRICS_TOKEN', 16);
  const production = read.string('TASKLANE_ENV', 'development') === 'production';
  const fallback: MetricsAccess = token ? 'token' : production ? 'loopback' : 'public';
  const access = read.oneOf<MetricsAccess>('TASKLANE_METRICS_ACCESS', fallback, [
    'public',
    'loopback',
    'token',
  ]);
  if (access === 'token' && !token)
    throw new ConfigError('TASKLANE_METRICS_ACCESS=token needs TASKLANE_METRICS_TOKEN to be set');
  return { access, token };
}
