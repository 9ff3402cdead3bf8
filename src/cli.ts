#!/usr/bin/env node
/**
 * The one entry point: `tasklane serve | migrate | user create`.
 */
import { parseArgs } from 'node:util';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createContext, systemActor } from './core/context.ts';
import { DomainError } from './core/errors.ts';
import { registerUser } from './core/identity/users.service.ts';
import { migrateToLatest } from './db/migrate.ts';
import { startWorker } from './jobs.ts';
import { type AppRuntime, createRuntime } from './runtime.ts';

const USAGE = `Usage: tasklane <command> [options]

Commands:
  serve [--workers N]   Start the API server and N in-process workers (default: cores; 0: API only)
  worker [--workers N]  Run workers only, against PostgreSQL (default: cores)
  migrate               Bring the database schema up to date
  user create           Create a user
      --username NAME --email EMAIL --password PASSWORD [--admin] [--tier free|pro|premium]

Settings come from TASKLANE_* environment variables (docs/configuration.md).`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'worker':
      return worker(rest);
    case 'migrate':
      return migrate();
    case 'user':
      return user(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return command === undefined ? 1 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 1;
  }
}

function workerCount(args: string[], fallback: number): number {
  const { values } = parseArgs({ args, options: { workers: { type: 'string' } }, strict: true });
  if (values.workers === undefined) return fallback;
  if (!/^\d+$/.test(values.workers)) throw new ConfigError('--workers must be a whole number');
  return Number(values.workers);
}

/**
 * SIGTERM/SIGINT drain: stop accepting (HTTP) and claiming (workers), let in-flight
 * work finish or release it, close the database, exit.
 */
function onShutdown(runtime: AppRuntime, steps: (() => Promise<void>)[]): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    runtime.log.info({ signal }, 'shutting down');
    // Drain gets the configured time; past that (plus a margin) we exit regardless.
    const force = setTimeout(() => {
      runtime.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, runtime.config.http.shutdownTimeoutMs + 10_000);
    force.unref();
    let code = 0;
    for (const step of steps) {
      await step().catch((error) => {
        runtime.log.error({ err: error }, 'shutdown step failed');
        code = 1;
      });
    }
    await runtime.close().catch(() => {});
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

async function serve(args: string[]): Promise<number> {
  const config = loadConfig();
  const workers = workerCount(args, config.jobs.workers);
  const runtime = await createRuntime(config);
  const { app } = await buildApp(runtime);
  const worker = await startWorker(runtime, workers);
  onShutdown(runtime, [() => app.close(), async () => worker?.stop()]);
  await app.listen({ host: config.host, port: config.port });
  runtime.log.info(
    {
      database: runtime.database.dialect,
      dataDir: config.dataDir,
      redis: Boolean(config.redisUrl),
    },
    `Tasklane listening on ${config.publicUrl} (docs at ${config.publicUrl}/docs)`,
  );
  return -1; // keep running
}

async function worker(args: string[]): Promise<number> {
  const config = loadConfig();
  if (config.database.kind !== 'postgres') {
    throw new ConfigError(
      'tasklane worker needs PostgreSQL (TASKLANE_DATABASE_URL=postgres://…); with SQLite, `tasklane serve` runs the workers in-process',
    );
  }
  const workers = workerCount(args, config.jobs.workers);
  if (workers < 1) throw new ConfigError('--workers must be at least 1 for tasklane worker');
  const runtime = await createRuntime(config);
  const started = await startWorker(runtime, workers);
  onShutdown(runtime, [async () => started?.stop()]);
  runtime.log.info(
    { workers, sandbox: runtime.sandbox.available ? runtime.sandbox.sandbox.driver : 'none' },
    'Tasklane worker running',
  );
  return -1;
}

async function migrate(): Promise<number> {
  const config = loadConfig();
  const runtime = await createRuntime(config, { migrate: false });
  try {
    const result = await migrateToLatest(runtime.database.db);
    const applied =
      result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    return 0;
  } finally {
    await runtime.close();
  }
}

async function user(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    console.error(`Unknown user command "${sub ?? ''}".\n\n${USAGE}`);
    return 1;
  }
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'full-name': { type: 'string' },
      admin: { type: 'boolean', default: false },
      tier: { type: 'string' },
    },
  });
  if (!values.username || !values.email || !values.password) {
    console.error('user create needs --username, --email and --password');
    return 1;
  }
  if (values.tier && !['free', 'pro', 'premium'].includes(values.tier)) {
    console.error('--tier must be free, pro or premium');
    return 1;
  }
  const runtime = await createRuntime(loadConfig());
  try {
    const { user: created } = await registerUser(createContext(runtime, systemActor), {
      username: values.username,
      email: values.email,
      password: values.password,
      fullName: values['full-name'] ?? null,
      role: values.admin ? 'admin' : 'user',
      tier: values.tier as 'free' | 'pro' | 'premium' | undefined,
    });
    console.log(`Created ${created.role} ${created.username} (id ${created.id}, ${created.uuid})`);
    return 0;
  } finally {
    await runtime.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof DomainError) {
      console.error(`tasklane: ${error.message}`);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  },
);
