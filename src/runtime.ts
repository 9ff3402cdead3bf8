/**
 * Builds the process-wide services once: config → logger, database (migrated), keys,
 * clock, Redis. `serve`, `worker` and the tests all start here.
 */
import { Redis } from 'ioredis';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { Config } from './config.ts';
import type { Runtime } from './core/context.ts';
import { type Clock, systemClock } from './core/shared/clock.ts';
import { loadKeyring } from './core/shared/keyring.ts';
import { openDatabase } from './db/connection.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createLogger } from './http/logger.ts';

export interface RuntimeOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  logDestination?: DestinationStream;
  clock?: Clock;
  /** Run migrations before returning (serve does; the worker expects a migrated db). */
  migrate?: boolean;
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
  return {
    config,
    database,
    keys: loadKeyring(config),
    clock: options.clock ?? systemClock,
    log,
    redis,
    async close() {
      redis?.disconnect();
      await database.close();
    },
  };
}
