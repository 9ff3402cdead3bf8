/** A real runtime (database migrated, keys, clock) without HTTP, for core tests. */
import fs from 'node:fs';
import { loadConfig } from '../../src/config.ts';
import { type Actor, type Ctx, createContext } from '../../src/core/context.ts';
import type { Clock } from '../../src/core/shared/clock.ts';
import { type AppRuntime, createRuntime } from '../../src/runtime.ts';
import { createTestDatabase, makeTempDir } from './db.ts';

export interface TestRuntime {
  runtime: AppRuntime;
  ctx(actor?: Actor): Ctx;
  close(): Promise<void>;
}

export async function startRuntime(
  options: { env?: Record<string, string>; clock?: Clock } = {},
): Promise<TestRuntime> {
  const dataDir = makeTempDir();
  const database = await createTestDatabase(dataDir);
  const config = loadConfig({
    TASKLANE_DATA_DIR: dataDir,
    TASKLANE_DATABASE_URL: database.url,
    TASKLANE_LOG_LEVEL: 'silent',
    ...options.env,
  });
  const runtime = await createRuntime(config, { clock: options.clock });
  return {
    runtime,
    ctx: (actor = { kind: 'system' }) => createContext(runtime, actor),
    async close() {
      await runtime.close();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
