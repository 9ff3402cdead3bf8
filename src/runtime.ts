/**
 * Builds the process-wide services once: config → logger, database (migrated), keys,
 * clock, Redis, notifiers and the event hub, the sandbox, the blob store. `serve`,
 * `worker` and the tests all start here.
 */
import path from 'node:path';
import { Redis } from 'ioredis';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { Config } from './config.ts';
import { ModelCatalog } from './core/ai/catalog.ts';
import { AiRegistry } from './core/ai/providers.ts';
import type { Runtime } from './core/context.ts';
import { EventHub } from './core/events/hub.ts';
import { LocalNotifier, type Notifier } from './core/events/notifier.ts';
import { PgNotifier } from './core/events/pg-notifier.ts';
import { RedisNotifier } from './core/events/redis-notifier.ts';
import { selectSandbox } from './core/execution/sandbox/select.ts';
import type { SandboxProvider } from './core/execution/sandbox.types.ts';
import { prepareWorkspaceRoot } from './core/execution/workspace.ts';
import { BlobStore } from './core/files/blob-store.ts';
import { type Clock, systemClock } from './core/shared/clock.ts';
import { loadKeyring } from './core/shared/keyring.ts';
// Registers the webhook fan-out on the event outbox, in every process that records events.
import './core/webhooks/webhooks.service.ts';
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
  const database = openDatabase(config.database);
  try {
    if (options.migrate !== false) await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, {
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
  const sandbox = options.sandbox ?? selectSandbox(config.sandbox, log);
  const perRunUid =
    sandbox.available && sandbox.sandbox.driver === 'bwrap' && process.getuid?.() === 0;
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
    blobs: new BlobStore(path.join(config.dataDir, 'blobs')),
    workspaceRoot: prepareWorkspaceRoot(config.dataDir, perRunUid, (message) => log.warn(message)),
    ai: new AiRegistry(config.ai, ModelCatalog.load(config.ai.catalogPath)),
    async close() {
      events.close();
      await eventNotifier.close();
      if (notifier !== eventNotifier) await notifier.close();
      redis?.disconnect();
      await database.close();
    },
  };
  try {
    await events.start(runtime);
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
