/**
 * Starts the real server (real HTTP on a random port, real database) for a test file.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { type BuiltApp, buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { SandboxProvider } from '../../src/core/execution/sandbox.types.ts';
import type { Worker } from '../../src/core/jobs/worker.ts';
import type { Clock } from '../../src/core/shared/clock.ts';
import type { HostResolver } from '../../src/core/shared/net-guard.ts';
import { startWorker } from '../../src/jobs.ts';
import { type AppRuntime, createRuntime } from '../../src/runtime.ts';
import { createTestDatabase, makeTempDir, SHARED_KEYS, sandboxUidBase } from './db.ts';

export interface TestServer {
  url: string;
  runtime: AppRuntime;
  built: BuiltApp;
  /** Every log line written so far (JSON strings). */
  logs: string[];
  env: Record<string, string>;
  worker: Worker | undefined;
  close(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Reuse a database (and data dir) created by another server in this test. */
  shared?: { databaseUrl: string; dataDir: string };
  /** In-process job slots (default 0: no workers). */
  workers?: number;
  /** The resolver outbound requests use (default: the system's). */
  resolver?: HostResolver;
  /** Replace the sandbox (a machine without one). */
  sandbox?: SandboxProvider;
}

/** Short timers so queue behaviour shows within a test's patience. */
export const FAST_QUEUE = {
  TASKLANE_JOB_POLL_MS: '100',
  TASKLANE_JOB_SWEEP_MS: '250',
  TASKLANE_JOB_HEARTBEAT_MS: '500',
  TASKLANE_JOB_LEASE_MS: '3000',
};

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.shared?.dataDir ?? makeTempDir();
  const database = options.shared ? undefined : await createTestDatabase(dataDir);
  const env: Record<string, string> = {
    TASKLANE_DATA_DIR: dataDir,
    TASKLANE_DATABASE_URL: options.shared?.databaseUrl ?? database!.url,
    TASKLANE_PORT: '0',
    TASKLANE_RATE_LIMIT: 'false',
    TASKLANE_LOG_LEVEL: 'info',
    TASKLANE_REDIS_PREFIX: `test-${process.pid}-${Math.random().toString(36).slice(2)}:`,
    ...FAST_QUEUE,
    ...SHARED_KEYS,
    TASKLANE_SANDBOX_UID_BASE: sandboxUidBase(),
    ...(process.env.TEST_DB === 'postgres' ? { TASKLANE_REDIS_URL: REDIS_URL } : {}),
    ...options.env,
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  const runtime = await createRuntime(loadConfig(env), {
    logDestination: sink,
    clock: options.clock,
    resolver: options.resolver,
    sandbox: options.sandbox,
  });
  const built = await buildApp(runtime);
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const worker = await startWorker(runtime, options.workers ?? 0);
  const { port } = built.app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    runtime,
    built,
    logs,
    env,
    worker,
    async close() {
      await worker?.stop(2000);
      await built.app.close();
      await runtime.close();
      if (database) {
        await database.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
