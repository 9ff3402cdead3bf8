/** A real runtime (database migrated, keys, clock) without HTTP, for core tests. */
import fs from 'node:fs';
import { loadConfig } from '../../src/config.ts';
import { type Actor, type Ctx, createContext } from '../../src/core/context.ts';
import type { SandboxProvider } from '../../src/core/execution/sandbox.types.ts';
import type { Worker } from '../../src/core/jobs/worker.ts';
import type { Clock } from '../../src/core/shared/clock.ts';
import { startWorker } from '../../src/jobs.ts';
import { type AppRuntime, createRuntime } from '../../src/runtime.ts';
import { createTestDatabase, makeTempDir, SHARED_KEYS, sandboxUidBase } from './db.ts';
import { FAST_QUEUE } from './server.ts';

export interface TestRuntime {
  runtime: AppRuntime;
  worker: Worker | undefined;
  ctx(actor?: Actor): Ctx;
  close(): Promise<void>;
}

export async function startRuntime(
  options: {
    env?: Record<string, string>;
    clock?: Clock;
    workers?: number;
    sandbox?: SandboxProvider;
  } = {},
): Promise<TestRuntime> {
  const dataDir = makeTempDir();
  const database = await createTestDatabase(dataDir);
  const config = loadConfig({
    TASKLANE_DATA_DIR: dataDir,
    TASKLANE_DATABASE_URL: database.url,
    TASKLANE_LOG_LEVEL: 'silent',
    ...FAST_QUEUE,
    ...SHARED_KEYS,
    TASKLANE_SANDBOX_UID_BASE: sandboxUidBase(),
    ...options.env,
  });
  const runtime = await createRuntime(config, { clock: options.clock, sandbox: options.sandbox });
  const worker = await startWorker(runtime, options.workers ?? 0);
  return {
    runtime,
    worker,
    ctx: (actor = { kind: 'system' }) => createContext(runtime, actor),
    async close() {
      await worker?.stop(2000);
      await runtime.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
