/**
 * The CLI's commands: `tasklane serve | worker | migrate | user create | …` (loaded by
 * cli.ts once the process is set up).
 */
import { parseArgs } from 'node:util';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { startAutoscaler } from './core/autoscale/controller.ts';
import { setDesiredWorkers } from './core/autoscale/scaling.service.ts';
import { createContext, systemActor } from './core/context.ts';
import { DomainError } from './core/errors.ts';
import { registerUser } from './core/identity/users.service.ts';
import { setCatalogEntry } from './core/projects/catalogs.service.ts';
import { resealSecrets } from './core/secrets/reseal.service.ts';
import { migrateToLatest } from './db/migrate.ts';
import { allowYoungGrowth } from './heap-sizing.ts';
import { startWorker } from './jobs.ts';
import { type AppRuntime, createRuntime } from './runtime.ts';

const USAGE = `Usage: tasklane <command> [options]

Commands:
  serve [--workers N]   Start the API server and N in-process workers (default: cores; 0: API only)
  worker [--workers N]  Run workers only, against PostgreSQL (default: cores)
  migrate               Bring the database schema up to date
  user create           Create a user
      --username NAME --email EMAIL --password PASSWORD [--admin] [--tier free|pro|premium]
  catalog document-types|ai-tools set KEY
      [--name NAME] [--description TEXT] [--category C] [--ordinal N] [--active true|false]
                        Add or change a CodeGuide document type or AI tool
  secrets reseal        Re-seal stored secrets with the current TASKLANE_SECRET_KEY (after a
                        rotation; docs/security.md, "Rotating the secret key")
  scale --workers N [--reason TEXT]
                        Set the worker pool's size by hand (held for TASKLANE_AUTOSCALE_MANUAL_HOLD_MS)

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
    case 'scale':
      return scale(rest);
    case 'catalog':
      return catalog(rest);
    case 'secrets':
      return secrets(rest);
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
  const autoscaler = startAutoscaler(runtime, worker);
  onShutdown(runtime, [
    () => app.close(),
    async () => autoscaler?.stop(),
    async () => worker?.stop(),
  ]);
  await app.listen({ host: config.host, port: config.port });
  allowYoungGrowth();
  runtime.log.info(
    {
      database: runtime.database.dialect,
      dataDir: config.dataDir,
      redis: Boolean(config.redisUrl),
    },
    `Tasklane listening on ${config.publicUrl} (docs at ${config.publicUrl}/docs${
      config.console.mount ? `, console at ${config.publicUrl}${config.console.mount}/` : ''
    })`,
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
  const autoscaler = startAutoscaler(runtime, started);
  onShutdown(runtime, [async () => autoscaler?.stop(), async () => started?.stop()]);
  allowYoungGrowth();
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

/** `tasklane scale --workers N`: a manual decision, recorded with trigger `manual`. */
async function scale(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: { workers: { type: 'string' }, reason: { type: 'string' } },
  });
  if (!values.workers || !/^\d+$/.test(values.workers)) {
    console.error('scale needs --workers N (a whole number)');
    return 1;
  }
  const runtime = await createRuntime(loadConfig());
  try {
    const state = await setDesiredWorkers(createContext(runtime, systemActor), {
      workers: Number(values.workers),
      reason: values.reason,
    });
    console.log(`Worker pool set to ${state.desiredWorkers} slots: ${state.reason}`);
    return 0;
  } finally {
    await runtime.close();
  }
}

/** `tasklane secrets reseal`: moves every stored secret to the current key, with progress. */
async function secrets(args: string[]): Promise<number> {
  if (args[0] !== 'reseal' || args.length > 1) {
    console.error(`secrets needs reseal\n\n${USAGE}`);
    return 1;
  }
  const runtime = await createRuntime(loadConfig());
  try {
    const ctx = createContext(runtime, systemActor);
    console.log(`Re-sealing stored secrets with key ${ctx.keys.box.keyId}`);
    const counts = await resealSecrets(ctx, (count) =>
      console.log(`  ${count.store}: ${count.resealed}/${count.stale} re-sealed so far`),
    );
    for (const count of counts)
      console.log(
        `${count.store}: ${count.resealed} re-sealed of ${count.stale} found` +
          (count.unreadable
            ? `, ${count.unreadable} opened by no key held (left as they are)`
            : ''),
      );
    const unreadable = counts.reduce((sum, count) => sum + count.unreadable, 0);
    if (unreadable === 0)
      console.log(
        'Every stored secret is sealed by the current key: TASKLANE_SECRET_KEY_PREVIOUS can be dropped.',
      );
    return unreadable === 0 ? 0 : 2;
  } finally {
    await runtime.close();
  }
}

/** `tasklane catalog document-types|ai-tools set KEY …`: CodeGuide's catalogs. */
async function catalog(args: string[]): Promise<number> {
  const [which, sub, key, ...rest] = args;
  const table =
    which === 'document-types' ? 'document_types' : which === 'ai-tools' ? 'ai_tools' : undefined;
  if (!table || sub !== 'set' || !key) {
    console.error(`catalog needs document-types|ai-tools set KEY\n\n${USAGE}`);
    return 1;
  }
  const { values } = parseArgs({
    args: rest,
    strict: true,
    options: {
      name: { type: 'string' },
      description: { type: 'string' },
      category: { type: 'string' },
      ordinal: { type: 'string' },
      active: { type: 'string' },
    },
  });
  if (values.ordinal !== undefined && !/^-?\d+$/.test(values.ordinal)) {
    console.error('--ordinal must be a whole number');
    return 1;
  }
  if (values.active !== undefined && !['true', 'false'].includes(values.active)) {
    console.error('--active must be true or false');
    return 1;
  }
  const runtime = await createRuntime(loadConfig());
  try {
    const outcome = await setCatalogEntry(createContext(runtime, systemActor), table, key, {
      name: values.name,
      description: values.description,
      category: values.category,
      ordinal: values.ordinal === undefined ? undefined : Number(values.ordinal),
      isActive: values.active === undefined ? undefined : values.active === 'true',
    });
    console.log(`${which} ${key} ${outcome}`);
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

export function run(argv: string[]): void {
  main(argv).then(
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
}
