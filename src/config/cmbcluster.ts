/** CMBCluster's settings: OpenID Connect login, per-tier environment limits, user files. */

import fs from 'node:fs';
import path from 'node:path';
import type { Tier } from '../core/context.ts';
import { BUILT_IN_PROFILES, type EnvironmentProfile } from '../core/environments/profiles.ts';
import { ConfigError, type EnvReader } from './env-reader.ts';

export interface OidcConfig {
  /** Issuer URL whose discovery document names the endpoints (Google by default). */
  issuer: string;
  /** Unset: OIDC login is not configured and POST /auth/login answers 503. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Unset: `<public URL or request host><mount>/auth/callback`. */
  redirectUri: string | undefined;
  /** Email domains allowed to sign in (empty: any). */
  allowedDomains: string[];
  /** Where the browser goes after login. Unset: the public URL's root. */
  dashboardUrl: string | undefined;
  /** How long a started login (state, nonce, PKCE verifier) may wait for its callback. */
  stateTtlSeconds: number;
}

export interface TierEnvironmentLimits {
  maxUptimeMinutes: number;
  autoShutdown: boolean;
  /** Most environments of one user running (or starting) at once. */
  maxConcurrent: number;
}

export interface CmbClusterConfig {
  oidc: OidcConfig;
  tiers: Record<Tier, TierEnvironmentLimits>;
  /** An environment with no heartbeat and no proxied traffic for this long is stopped. */
  idleTimeoutMinutes: number;
  driver: 'local';
  /** Image name → environment profile. */
  images: Record<string, string>;
  /** Profiles an operator defined (TASKLANE_ENV_PROFILES_FILE), by name. */
  profiles: Record<string, EnvironmentProfile>;
  /** How often the culler looks for environments past their limits. */
  cullIntervalMs: number;
  /** How long a starting environment may take to answer on its socket. */
  startTimeoutMs: number;
  userFiles: { maxFileBytes: number; maxTotalBytes: number };
}

const TIER_DEFAULTS: Record<Tier, TierEnvironmentLimits> = {
  free: { maxUptimeMinutes: 60, autoShutdown: true, maxConcurrent: 1 },
  pro: { maxUptimeMinutes: 240, autoShutdown: true, maxConcurrent: 2 },
  premium: { maxUptimeMinutes: 480, autoShutdown: false, maxConcurrent: 5 },
};

export function readCmbClusterConfig(read: EnvReader): CmbClusterConfig {
  const tiers = Object.fromEntries(
    (Object.keys(TIER_DEFAULTS) as Tier[]).map((tier) => {
      const d = TIER_DEFAULTS[tier];
      const suffix = tier.toUpperCase();
      return [
        tier,
        {
          maxUptimeMinutes: read.int(
            `TASKLANE_ENV_MAX_UPTIME_MINUTES_${suffix}`,
            d.maxUptimeMinutes,
            {
              min: 1,
            },
          ),
          autoShutdown: read.bool(`TASKLANE_ENV_AUTO_SHUTDOWN_${suffix}`, d.autoShutdown),
          maxConcurrent: read.int(`TASKLANE_ENV_MAX_CONCURRENT_${suffix}`, d.maxConcurrent, {
            min: 0,
          }),
        },
      ];
    }),
  ) as Record<Tier, TierEnvironmentLimits>;
  const redirect = read.optionalUrl('TASKLANE_OIDC_REDIRECT_URI', ['http:', 'https:']);
  const dashboard = read.optionalUrl('TASKLANE_DASHBOARD_URL', ['http:', 'https:']);
  return {
    oidc: {
      issuer: read.url('TASKLANE_OIDC_ISSUER', 'https://accounts.google.com'),
      clientId: read.optionalString('TASKLANE_OIDC_CLIENT_ID'),
      clientSecret: read.optionalSecret('TASKLANE_OIDC_CLIENT_SECRET', 1),
      redirectUri: redirect,
      allowedDomains: read.list('TASKLANE_OIDC_ALLOWED_DOMAINS').map((d) => d.toLowerCase()),
      dashboardUrl: dashboard,
      stateTtlSeconds: read.int('TASKLANE_OIDC_STATE_TTL', 600, { min: 10, max: 86_400 }),
    },
    tiers,
    idleTimeoutMinutes: read.int('TASKLANE_ENV_IDLE_TIMEOUT_MINUTES', 30, { min: 1 }),
    driver: read.oneOf('TASKLANE_ENV_DRIVER', 'local', ['local']),
    ...readImagesAndProfiles(read),
    cullIntervalMs: read.int('TASKLANE_ENV_CULL_INTERVAL_MS', 30_000, { min: 100 }),
    startTimeoutMs: read.int('TASKLANE_ENV_START_TIMEOUT_MS', 60_000, { min: 1000 }),
    userFiles: {
      maxFileBytes: read.int('TASKLANE_USER_FILES_MAX_FILE_BYTES', 100 * 1024 * 1024, { min: 1 }),
      maxTotalBytes: read.int('TASKLANE_USER_FILES_MAX_TOTAL_BYTES', 1024 * 1024 * 1024, {
        min: 1,
      }),
    },
  };
}

/** The spec's example image runs the default profile unless configured otherwise. */
const DEFAULT_IMAGES = ['borisbolliet/cmbagent-ui:latest=python-http', 'python-http=python-http'];

function readImagesAndProfiles(read: EnvReader): {
  images: Record<string, string>;
  profiles: Record<string, EnvironmentProfile>;
} {
  const file = read.optionalString('TASKLANE_ENV_PROFILES_FILE');
  const profiles = file ? readProfilesFile(path.resolve(file)) : {};
  const known = [...BUILT_IN_PROFILES, ...Object.keys(profiles)];
  const entries = read.list('TASKLANE_ENV_IMAGES');
  const images: Record<string, string> = {};
  for (const entry of entries.length > 0 ? entries : DEFAULT_IMAGES) {
    const eq = entry.lastIndexOf('=');
    const image = entry.slice(0, eq).trim();
    const profile = entry.slice(eq + 1).trim();
    if (eq <= 0 || !known.includes(profile))
      throw new ConfigError(
        `TASKLANE_ENV_IMAGES entries are image=profile with a profile among ${known.join(', ')} (got "${entry}")`,
      );
    images[image] = profile;
  }
  return { images, profiles };
}

/**
 * `{"<name>": {"command": ["/usr/bin/…", …], "network": false, "files": {"/opt/x/app.py":
 * "app.py"}}}`: each command serves HTTP on the Unix socket $TASKLANE_SOCKET; `files`
 * are placed read-only in the sandbox (host paths relative to the JSON file).
 */
function readProfilesFile(file: string): Record<string, EnvironmentProfile> {
  const fail = (why: string) => new ConfigError(`TASKLANE_ENV_PROFILES_FILE (${file}): ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw fail(`cannot be read as JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw fail('must be an object');
  const profiles: Record<string, EnvironmentProfile> = {};
  for (const [name, raw] of Object.entries(parsed as Record<string, unknown>)) {
    const spec = raw as { command?: unknown; network?: unknown; files?: unknown };
    if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(name)) throw fail(`bad profile name "${name}"`);
    if (
      !Array.isArray(spec?.command) ||
      spec.command.length === 0 ||
      !spec.command.every((part) => typeof part === 'string')
    )
      throw fail(`${name}.command must be a non-empty list of strings`);
    const files = (spec.files ?? {}) as Record<string, unknown>;
    if (typeof files !== 'object' || Array.isArray(files))
      throw fail(`${name}.files must be an object`);
    profiles[name] = {
      name,
      argv: spec.command as string[],
      network: spec.network === true,
      dataFiles: Object.entries(files).map(([inside, host]) => {
        if (!inside.startsWith('/') || inside.startsWith('/workspace') || typeof host !== 'string')
          throw fail(
            `${name}.files maps absolute sandbox paths (not under /workspace) to host files`,
          );
        try {
          return {
            inside,
            content: fs.readFileSync(path.resolve(path.dirname(file), host), 'utf8'),
          };
        } catch {
          throw fail(`${name}.files: cannot read ${host}`);
        }
      }),
    };
  }
  return profiles;
}
