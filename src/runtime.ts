/**
 * Builds the process-wide services once: config → logger, database (migrated), keys,
 * clock, Redis, notifiers and the event hub, the sandbox, the blob store. `serve`,
 * `worker` and the tests all start here.
 */
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { Config } from './config.ts';
import { ModelCatalog } from './core/ai/catalog.ts';
import { AiRegistry } from './core/ai/providers.ts';
import { createApiCallBuffer } from './core/api-logs/api-usage-logs.service.ts';
import { codespaceRunner } from './core/codespace/codespace.runner.ts';
import type { Runtime } from './core/context.ts';
import { LocalEnvironmentDriver } from './core/environments/local-driver.ts';
import { EventHub } from './core/events/hub.ts';
import { LocalNotifier, type Notifier } from './core/events/notifier.ts';
import { PgNotifier } from './core/events/pg-notifier.ts';
import { RedisNotifier } from './core/events/redis-notifier.ts';
import { selectSandbox } from './core/execution/sandbox/select.ts';
import type { SandboxProvider } from './core/execution/sandbox.types.ts';
import { Workspaces } from './core/execution/workspaces.ts';
import { BlobStore } from './core/files/blob-store.ts';
import { notifyFromEvent } from './core/notifications/notifications.service.ts';
import { type Clock, systemClock } from './core/shared/clock.ts';
import { loadKeyring } from './core/shared/keyring.ts';
import { type HostResolver, systemResolver } from './core/shared/net-guard.ts';
import { pathRedactor } from './core/shared/redact-paths.ts';
import { TASK_RUNNERS } from './core/tasks/runners/registry.ts';
import { fanOutToWebhooks } from './core/webhooks/webhooks.service.ts';
import { openDatabase } from './db/connection.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createLogger } from './http/logger.ts';

export interface RuntimeOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  clock?: Clock;
  /** Run migrations before returning (serve does; `migrate` runs them itself). */
  migrate?: boolean;
  /** Replace the sandbox (tests of machines without one). */
  sandbox?: SandboxProvider;
  /** Replace the resolver outbound requests use (tests of DNS rebinding). */
  resolver?: HostResolver;
}

export interface AppRuntime extends Runtime {
  log: PinoLogger;
  redis: Redis | undefined;
  close(): Promise<void>;
}

export async function createRuntime(
  config: Config,
  options: RuntimeOptions = {},
): Promise<AppRuntime> {
  const log = createLogger(config.logLevel, options.logDestination);
  const database = await openDatabase(config.database);
  try {
    if (options.migrate !== false) await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  // ioredis is loaded only when Redis is configured: an embedded server does not carry it.
  const redis = config.redisUrl
    ? new (await import('ioredis')).Redis(config.redisUrl, {
        lazyConnect: false,
        maxRetriesPerRequest: 2,
        enableOfflineQueue: false,
      })
    : undefined;
  // ioredis reconnects on its own; an error event without a listener would crash the process.
  redis?.on('error', (error) => log.warn({ err: error }, 'redis error'));
  if (redis) await waitUntilReady(redis, 3000);

  const local = new LocalNotifier();
  const notifier: Notifier =
    config.database.kind === 'postgres' ? new PgNotifier(config.database.url, log) : local;
  const eventNotifier: Notifier = redis
    ? new RedisNotifier(redis, config.redisPrefix, log)
    : notifier;
  const sandbox = options.sandbox ?? (await selectSandbox(config.sandbox, log));
  const workspaces = await Workspaces.open(config, sandbox, log);
  const events = new EventHub();

  const runtime: AppRuntime = {
    config,
    database,
    keys: loadKeyring(config),
    clock: options.clock ?? systemClock,
    log,
    redis,
    notifier,
    eventNotifier,
    events,
    sandbox,
    blobs: await BlobStore.open(path.join(config.dataDir, 'blobs')),
    workspaces,
    outboxHooks: [fanOutToWebhooks, notifyFromEvent],
    // Core kinds, and kinds a capability above the task engine adds (codespace).
    taskRunners: new Map([...TASK_RUNNERS, codespaceRunner].map((runner) => [runner.kind, runner])),
    redactPaths: pathRedactor(config.dataDir, workspaces.root),
    ai: new AiRegistry(config.ai, await ModelCatalog.load(config.ai.catalogPath)),
    resolver: options.resolver ?? systemResolver,
    environments: new LocalEnvironmentDriver(() => runtime),
    apiCalls: createApiCallBuffer(() => runtime, log, config.apiLogs.flushMs),
    async close() {
      await runtime.apiCalls.close();
      await runtime.environments.close();
      events.close();
      await eventNotifier.close();
      if (notifier !== eventNotifier) await notifier.close();
      redis?.disconnect();
      await workspaces.close();
      await database.close();
    },
  };
  try {
    await events.start(runtime);
    // After migrations only: `migrate` itself opens a runtime on an older schema.
    if (options.migrate !== false) await runtime.environments.open();
  } catch (error) {
    await runtime.close();
    throw error;
  }
  return runtime;
}

/** Gives Redis a moment to connect at start-up; a Redis that is down is reported by /health, not fatal. */
function waitUntilReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    redis.once('ready', done);
  });
}
