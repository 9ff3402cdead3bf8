/**
 * Every setting Tasklane has, read once from the environment and validated.
 *
 * This is the only module that reads `process.env`. Each setting has a default that
 * works embedded (one process, SQLite under ./data, no services); an invalid value
 * stops start-up with a message naming the setting. docs/configuration.md lists them.
 */

import os from 'node:os';
import path from 'node:path';
import {
  type AiConfig,
  type MeteringConfig,
  readAiConfig,
  readMeteringConfig,
} from './config/ai.ts';
import { type ApiLogsConfig, readApiLogsConfig } from './config/api-logs.ts';
import { type AutoscaleConfig, readAutoscaleConfig } from './config/autoscale.ts';
import { type AutoServeConfig, readAutoServeConfig } from './config/autoserve.ts';
import { type CmbClusterConfig, readCmbClusterConfig } from './config/cmbcluster.ts';
import { type CodeGuideConfig, readCodeGuideConfig } from './config/codeguide.ts';
import { type ConsoleConfig, readConsoleConfig } from './config/console.ts';
import { type CoolifyConfig, readCoolifyConfig } from './config/coolify.ts';
import { ConfigError, type Env, EnvReader } from './config/env-reader.ts';
import { type GitConfig, readGitConfig } from './config/git.ts';
import { type MetricsConfig, readMetricsConfig } from './config/metrics.ts';
import { type Network, readNetworks } from './config/networks.ts';
import { readWarmPool, type WarmPoolEntry } from './config/warm-pool.ts';

export { ConfigError } from './config/env-reader.ts';

export const SURFACE_NAMES = [
  'codeep',
  'codeguide',
  'autoserve',
  'taskassistant',
  'cmbcluster',
] as const;
export type SurfaceName = (typeof SURFACE_NAMES)[number];

export interface SurfaceConfig {
  enabled: boolean;
  /** URL prefix the surface's routes are mounted under ('' for the root). */
  mount: string;
}

export interface Config {
  env: string;
  host: string;
  port: number;
  publicUrl: string;
  /** Whether TASKLANE_PUBLIC_URL was set; when not, links use the request's own host. */
  publicUrlSet: boolean;
  dataDir: string;
  database: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; poolSize: number };
  redisUrl: string | undefined;
  /** Prefix for every Redis key and channel, so several deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  logLevel: string;
  http: {
    bodyLimit: number;
    trustProxy: boolean | string;
    corsOrigins: string[];
    rateLimit: boolean;
    /** Multiplies every documented limit (an installation with more capacity; benchmarks). */
    rateLimitScale: number;
    shutdownTimeoutMs: number;
    /** Deepest nesting of arrays/objects a JSON body or WebSocket message may have. */
    jsonMaxDepth: number;
  };
  metrics: MetricsConfig;
  apiLogs: ApiLogsConfig;
  auth: {
    /** HS256 secret; when unset one is generated on first start and kept in the data dir. */
    jwtSecret: string | undefined;
    accessTokenTtl: number;
    taskAssistantAccessTokenTtl: number;
    refreshTokenTtl: number;
    /** 32-byte AES-256-GCM key (base64 or hex); generated into the data dir when unset. */
    secretKey: string | undefined;
    /** Keys that sealed stored secrets before a rotation: they still open, never seal. */
    previousSecretKeys: string[];
    sessionCookieName: string;
    cookieSecure: boolean;
  };
  users: {
    defaultDailyLimit: number;
    defaultTier: 'free' | 'pro' | 'premium';
  };
  jobs: {
    /** In-process workers (job slots) for `serve`; `--workers` overrides. */
    workers: number;
    leaseMs: number;
    heartbeatMs: number;
    pollMs: number;
    sweepMs: number;
    /** A worker whose heartbeat is older than this is not counted as a consumer. */
    workerTimeoutMs: number;
    /** Most jobs of one tenant running at once (0: no cap). */
    tenantConcurrency: number;
    /** Premium is tried first on this many claims out of weight + 1. */
    premiumWeight: number;
  };
  sandbox: {
    driver: 'auto' | 'bwrap' | 'process';
    /** The unisolated process driver runs only when the operator says so. */
    allowProcess: boolean;
    /** Whether any task may have network access (a task asks with `network: true`). */
    allowNetwork: boolean;
    timeoutMs: number;
    cpuSeconds: number;
    memoryMb: number;
    processes: number;
    fileSizeMb: number;
    openFiles: number;
    outputBytes: number;
    workspaceMb: number;
    /** Most files and directories a workspace may hold (a tmpfs inode limit). */
    workspaceInodes: number;
    tmpMb: number;
    /** When running as root, sandboxes run as uids from here up (one per concurrent run). */
    uidBase: number;
    /** The server's own PATH, which the unisolated process driver hands to commands. */
    hostPath: string;
    /** Sandboxes kept started ahead of their runs (config/warm-pool.ts). */
    warmPool: WarmPoolEntry[];
  };
  ai: AiConfig;
  metering: MeteringConfig;
  autoserve: AutoServeConfig;
  /** CodeGuide's document generation. */
  codeguide: CodeGuideConfig;
  /** CodeGuide's Coolify deployments: the installation's instance and outbound limits. */
  coolify: CoolifyConfig;
  webhooks: {
    /** Destinations on private, loopback or link-local addresses are refused unless true. */
    allowPrivate: boolean;
    /** Non-public networks webhooks may reach all the same. */
    allowNetworks: Network[];
    /** Delay before each retry (the last repeats). */
    retryScheduleMs: number[];
    maxAttempts: number;
    timeoutMs: number;
  };
  /** Cloning users' git repositories (repository analysis, codespace tasks). */
  git: GitConfig;
  /** A WebSocket that has not authenticated within this is closed. */
  wsAuthTimeoutMs: number;
  /** How often an authenticated WebSocket re-checks its token or API key (revocation). */
  wsRevalidateMs: number;
  autoscale: AutoscaleConfig;
  surfaces: Record<SurfaceName, SurfaceConfig>;
  /** CMBCluster: OIDC login, environments, user files. */
  cmbcluster: CmbClusterConfig;
  console: ConsoleConfig;
}

const DEFAULT_MOUNTS: Record<SurfaceName, string> = {
  codeep: '/v1',
  codeguide: '/v1',
  autoserve: '/',
  taskassistant: '/',
  cmbcluster: '/cmb',
};

/** Reads and validates every setting. Pass an env object in tests. */
export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const host = read.string('TASKLANE_HOST', '127.0.0.1');
  const port = read.int('TASKLANE_PORT', 8000, { min: 0, max: 65535 });
  const dataDir = path.resolve(read.string('TASKLANE_DATA_DIR', './data'));
  const database = parseDatabase(read, dataDir);
  const sandboxPolicy = {
    memoryMb: read.int('TASKLANE_SANDBOX_MEMORY_MB', 512, { min: 32 }),
    allowNetwork: read.bool('TASKLANE_SANDBOX_ALLOW_NETWORK', false),
  };
  const surfaces = Object.fromEntries(
    SURFACE_NAMES.map((name) => {
      const key = `TASKLANE_SURFACE_${name.toUpperCase()}`;
      return [
        name,
        {
          enabled: read.bool(`${key}_ENABLED`, true),
          mount: normaliseMount(read.string(`${key}_MOUNT`, DEFAULT_MOUNTS[name]), `${key}_MOUNT`),
        },
      ];
    }),
  ) as Record<SurfaceName, SurfaceConfig>;

  return {
    env: read.string('TASKLANE_ENV', 'development'),
    host,
    port,
    publicUrl: stripSlash(
      read.url('TASKLANE_PUBLIC_URL', `http://${host.includes(':') ? `[${host}]` : host}:${port}`),
    ),
    publicUrlSet: read.optionalString('TASKLANE_PUBLIC_URL') !== undefined,
    dataDir,
    database,
    redisUrl: read.optionalUrl('TASKLANE_REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: read.string('TASKLANE_REDIS_PREFIX', 'tasklane:'),
    logLevel: read.oneOf('TASKLANE_LOG_LEVEL', 'info', [
      'fatal',
      'error',
      'warn',
      'info',
      'debug',
      'trace',
      'silent',
    ]),
    http: {
      bodyLimit: read.int('TASKLANE_BODY_LIMIT', 1_048_576, { min: 1024 }),
      trustProxy: parseTrustProxy(read.string('TASKLANE_TRUST_PROXY', 'false')),
      corsOrigins: read.list('TASKLANE_CORS_ORIGINS'),
      rateLimit: read.bool('TASKLANE_RATE_LIMIT', true),
      rateLimitScale: read.number('TASKLANE_RATE_LIMIT_SCALE', 1, { min: 0.001, max: 1e9 }),
      shutdownTimeoutMs: read.int('TASKLANE_SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0 }),
      // Far above any real payload, far below the few thousand levels that overflow a
      // recursive walk.
      jsonMaxDepth: read.int('TASKLANE_JSON_MAX_DEPTH', 64, { min: 2, max: 512 }),
    },
    metrics: readMetricsConfig(read),
    apiLogs: readApiLogsConfig(read),
    auth: {
      ...readSigningKeys(read, database),
      accessTokenTtl: read.int('TASKLANE_ACCESS_TOKEN_TTL', 3600, { min: 10 }),
      taskAssistantAccessTokenTtl: read.int('TASKLANE_TASKASSISTANT_ACCESS_TOKEN_TTL', 86_400, {
        min: 10,
      }),
      refreshTokenTtl: read.int('TASKLANE_REFRESH_TOKEN_TTL', 30 * 86_400, { min: 60 }),
      sessionCookieName: read.string('TASKLANE_SESSION_COOKIE', 'tasklane_session'),
      cookieSecure: read.bool('TASKLANE_COOKIE_SECURE', false),
    },
    users: {
      defaultDailyLimit: read.int('TASKLANE_DEFAULT_DAILY_LIMIT', 100, { min: 0 }),
      defaultTier: read.oneOf('TASKLANE_DEFAULT_TIER', 'free', ['free', 'pro', 'premium']),
    },
    jobs: {
      workers: read.int('TASKLANE_WORKERS', os.availableParallelism(), { min: 0, max: 1024 }),
      leaseMs: read.int('TASKLANE_JOB_LEASE_MS', 30_000, { min: 1000 }),
      heartbeatMs: read.int('TASKLANE_JOB_HEARTBEAT_MS', 10_000, { min: 100 }),
      pollMs: read.int('TASKLANE_JOB_POLL_MS', 1000, { min: 10 }),
      sweepMs: read.int('TASKLANE_JOB_SWEEP_MS', 5000, { min: 100 }),
      workerTimeoutMs: read.int('TASKLANE_WORKER_TIMEOUT_MS', 30_000, { min: 1000 }),
      tenantConcurrency: read.int('TASKLANE_TENANT_CONCURRENCY', 10, { min: 0 }),
      premiumWeight: read.int('TASKLANE_PREMIUM_WEIGHT', 3, { min: 1, max: 100 }),
    },
    sandbox: {
      driver: read.oneOf('TASKLANE_SANDBOX_DRIVER', 'auto', ['auto', 'bwrap', 'process']),
      allowProcess: read.bool('TASKLANE_SANDBOX_ALLOW_PROCESS', false),
      allowNetwork: sandboxPolicy.allowNetwork,
      timeoutMs: read.int('TASKLANE_SANDBOX_TIMEOUT_MS', 60_000, { min: 100 }),
      cpuSeconds: read.int('TASKLANE_SANDBOX_CPU_SECONDS', 30, { min: 1 }),
      memoryMb: sandboxPolicy.memoryMb,
      processes: read.int('TASKLANE_SANDBOX_PROCESSES', 64, { min: 4 }),
      fileSizeMb: read.int('TASKLANE_SANDBOX_FILE_SIZE_MB', 64, { min: 1 }),
      openFiles: read.int('TASKLANE_SANDBOX_OPEN_FILES', 256, { min: 16 }),
      outputBytes: read.int('TASKLANE_SANDBOX_OUTPUT_BYTES', 1_048_576, { min: 1024 }),
      workspaceMb: read.int('TASKLANE_SANDBOX_WORKSPACE_MB', 256, { min: 1 }),
      workspaceInodes: read.int('TASKLANE_SANDBOX_WORKSPACE_INODES', 65_536, { min: 64 }),
      tmpMb: read.int('TASKLANE_SANDBOX_TMP_MB', 64, { min: 1 }),
      uidBase: read.int('TASKLANE_SANDBOX_UID_BASE', 200_000, { min: 1000, max: 2_100_000_000 }),
      hostPath: env.PATH ?? '/usr/bin:/bin',
      warmPool: readWarmPool(read, sandboxPolicy),
    },
    ai: readAiConfig(read),
    webhooks: {
      allowPrivate: read.bool('TASKLANE_WEBHOOK_ALLOW_PRIVATE', false),
      allowNetworks: readNetworks(read, 'TASKLANE_WEBHOOK_ALLOW_NETWORKS'),
      retryScheduleMs: readSchedule(read.list('TASKLANE_WEBHOOK_RETRY_SCHEDULE_MS')),
      maxAttempts: read.int('TASKLANE_WEBHOOK_MAX_ATTEMPTS', 8, { min: 1, max: 50 }),
      timeoutMs: read.int('TASKLANE_WEBHOOK_TIMEOUT_MS', 10_000, { min: 100 }),
    },
    git: readGitConfig(read),
    wsAuthTimeoutMs: read.int('TASKLANE_WS_AUTH_TIMEOUT_MS', 10_000, { min: 100 }),
    wsRevalidateMs: read.int('TASKLANE_WS_REVALIDATE_MS', 5_000, { min: 50, max: 3_600_000 }),
    autoscale: readAutoscaleConfig(
      read,
      read.int('TASKLANE_WORKERS', os.availableParallelism(), { min: 0, max: 1024 }),
    ),
    metering: readMeteringConfig(read),
    autoserve: readAutoServeConfig(read),
    codeguide: readCodeGuideConfig(read),
    coolify: readCoolifyConfig(read),
    surfaces,
    cmbcluster: readCmbClusterConfig(read),
    console: readConsoleConfig(read),
  };
}

/**
 * The JWT secret and the encryption key. Unset, each server generates its own into its
 * data dir, which is right for one process on SQLite. Replicas on a shared PostgreSQL
 * would each generate different ones (a token from one is a 401 on the other, a secret
 * sealed by one cannot be opened by the other), so there both must be set.
 */
function readSigningKeys(read: EnvReader, database: Config['database']) {
  const jwtSecret = read.optionalSecret('TASKLANE_JWT_SECRET', 32);
  const secretKey = read.optionalSecret('TASKLANE_SECRET_KEY', 32);
  if (database.kind === 'postgres' && (jwtSecret === undefined || secretKey === undefined)) {
    const missing = [
      jwtSecret === undefined && 'TASKLANE_JWT_SECRET',
      secretKey === undefined && 'TASKLANE_SECRET_KEY',
    ].filter(Boolean);
    throw new ConfigError(
      `On PostgreSQL every replica must share its keys: set TASKLANE_JWT_SECRET and TASKLANE_SECRET_KEY ` +
        `(missing: ${missing.join(', ')}; e.g. \`openssl rand -base64 32\` for each)`,
    );
  }
  // Comma-separated; each as long as a key must be, or it is a typo worth refusing.
  const previousSecretKeys = read.list('TASKLANE_SECRET_KEY_PREVIOUS');
  if (previousSecretKeys.some((key) => key.length < 32))
    throw new ConfigError(
      'each key in TASKLANE_SECRET_KEY_PREVIOUS must be at least 32 characters long',
    );
  return { jwtSecret, secretKey, previousSecretKeys };
}

function parseDatabase(read: EnvReader, dataDir: string): Config['database'] {
  const url = read.string('TASKLANE_DATABASE_URL', '');
  const poolSize = read.int(
    'TASKLANE_DATABASE_POOL_SIZE',
    Math.max(4, os.availableParallelism() * 2),
    {
      min: 1,
    },
  );
  if (url === '') return { kind: 'sqlite', path: path.join(dataDir, 'tasklane.db') };
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { kind: 'postgres', url, poolSize };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (file === '') throw new ConfigError('TASKLANE_DATABASE_URL: sqlite: needs a file path');
    return { kind: 'sqlite', path: file === ':memory:' ? file : path.resolve(file) };
  }
  throw new ConfigError(
    'TASKLANE_DATABASE_URL must be postgres://…, postgresql://… or sqlite:<path> (unset: a SQLite file in the data dir)',
  );
}

/** Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, then 10 h again. */
const WEBHOOK_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000];

function readSchedule(entries: string[]): number[] {
  if (entries.length === 0) return WEBHOOK_SCHEDULE_MS;
  return entries.map((value, i) => {
    const ms = Number(value);
    if (!Number.isInteger(ms) || ms < 0)
      throw new ConfigError(
        `TASKLANE_WEBHOOK_RETRY_SCHEDULE_MS entry ${i + 1} must be a whole number of milliseconds`,
      );
    return ms;
  });
}

function parseTrustProxy(value: string): boolean | string {
  if (value === 'true') return true;
  if (value === 'false' || value === '') return false;
  return value; // a comma list of addresses/CIDRs, as Fastify accepts
}

function normaliseMount(value: string, name: string): string {
  if (!value.startsWith('/')) throw new ConfigError(`${name} must start with "/" (got "${value}")`);
  if (!/^[A-Za-z0-9/_.-]*$/.test(value)) throw new ConfigError(`${name} has invalid characters`);
  return stripSlash(value);
}

function stripSlash(value: string): string {
  return value.replace(/\/+$/, '');
}
