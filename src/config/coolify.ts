/**
 * Coolify (CodeGuide's `/coolify/*`): the installation-wide instance users fall back to
 * when they saved no credentials of their own, and the limits of every request to a
 * Coolify instance. Read by config.ts; docs/configuration.md lists every name.
 */
import { ConfigError, type EnvReader } from './env-reader.ts';
import { type Network, readNetworks } from './networks.ts';

export interface CoolifyConfig {
  /** The installation's Coolify base URL (unset: users must save their own). */
  url: string | undefined;
  /** Its API token (set together with `url`). */
  token: string | undefined;
  /** Let requests reach private, loopback and other non-public addresses. */
  allowPrivate: boolean;
  /** Non-public networks Coolify instances may be on all the same. */
  allowNetworks: Network[];
  /** Per request to Coolify, answer included. */
  timeoutMs: number;
  /** Largest answer read from Coolify. */
  maxResponseBytes: number;
}

/** A Coolify API token as a header carries it: printable ASCII without spaces. */
export const COOLIFY_TOKEN_PATTERN = /^[\x21-\x7e]{1,1000}$/;

export function readCoolifyConfig(read: EnvReader): CoolifyConfig {
  const url = read.optionalString('TASKLANE_COOLIFY_URL');
  const token = read.optionalString('TASKLANE_COOLIFY_TOKEN');
  if ((url === undefined) !== (token === undefined))
    throw new ConfigError('TASKLANE_COOLIFY_URL and TASKLANE_COOLIFY_TOKEN are set together');
  // The token's value never appears in an error.
  if (token !== undefined && !COOLIFY_TOKEN_PATTERN.test(token))
    throw new ConfigError(
      'TASKLANE_COOLIFY_TOKEN must be printable ASCII without spaces, at most 1000 characters',
    );
  return {
    url: url === undefined ? undefined : checkBaseUrl(url),
    token,
    allowPrivate: read.bool('TASKLANE_COOLIFY_ALLOW_PRIVATE', false),
    allowNetworks: readNetworks(read, 'TASKLANE_COOLIFY_ALLOW_NETWORKS'),
    timeoutMs: read.int('TASKLANE_COOLIFY_TIMEOUT_MS', 10_000, { min: 100, max: 600_000 }),
    maxResponseBytes: read.int('TASKLANE_COOLIFY_MAX_RESPONSE_BYTES', 1_048_576, {
      min: 1024,
      max: 1_073_741_824,
    }),
  };
}

function checkBaseUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError('TASKLANE_COOLIFY_URL must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ConfigError('TASKLANE_COOLIFY_URL must use http or https');
  if (parsed.username || parsed.password)
    throw new ConfigError('TASKLANE_COOLIFY_URL must not carry credentials');
  if (parsed.search || parsed.hash)
    throw new ConfigError('TASKLANE_COOLIFY_URL must not have a query or fragment');
  return value;
}
