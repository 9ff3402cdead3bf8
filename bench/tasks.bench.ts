/**
 * Tasks: creating tasks through HTTP (`POST /v1/tasks/tasks`, Task Assistant) on SQLite
 * and on PostgreSQL against a bare Fastify hello-world in the same run; then whole code
 * tasks (`true` in the sandbox, AutoServe's `POST /tasks`) from creation to completion
 * with the server's in-process workers on PostgreSQL, against graphile-worker running
 * the same number of no-op jobs with the same concurrency on the same PostgreSQL, with
 * the statements Tasklane sent per task.
 *
 * Flags: --tasks N (full tasks, default 400), --workers N (job slots of both, default
 * the cores), --clients N (concurrent creators, default 8). BENCH_DURATION (seconds per
 * create run, default 10), BENCH_CONNECTIONS (default 32), BENCH_PG_URL.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { barChart, round, signIn, startHello, startTasklane } from './lib.ts';
import { Cleanup, createPgDatabase, progress, sleep } from './pg-lib.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

// The product's defaults, with the per-user daily task limit (Codeep's 100) and the
// rate limits scaled out of reach: a benchmark user creates more tasks than a person.
const SETTINGS = {
  // An agent task can be created (it is never answered: nothing listens there).
  TASKLANE_LLM_BASE_URL: 'http://127.0.0.1:9/v1',
  TASKLANE_LLM_MODEL: 'bench',
  TASKLANE_DEFAULT_DAILY_LIMIT: '1000000000',
  // PostgreSQL servers are replicas and must be given their keys.
  TASKLANE_JWT_SECRET: randomBytes(32).toString('base64'),
  TASKLANE_SECRET_KEY: randomBytes(32).toString('base64'),
};

interface Rate {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, options: Partial<autocannon.Options> = {}): Promise<Rate> {
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: DURATION,
    ...options,
  });
  return {
    rps: round(result.requests.average, 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** Task creation through HTTP on one server, after a warm-up. */
async function createRate(url: string): Promise<Rate> {
  const token = await signIn(url);
  const request = {
    method: 'POST' as const,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'bench', toolset: [] }),
  };
  const first = await fetch(`${url}/v1/tasks/tasks`, request);
  if (first.status !== 201)
    throw new Error(`POST /v1/tasks/tasks answered ${first.status}: ${await first.text()}`);
  await autocannon({ url: `${url}/v1/tasks/tasks`, connections: 8, duration: 2, ...request });
  return load(`${url}/v1/tasks/tasks`, request);
}

/** Statements the server sent so far (fixtures/count-pg-statements.ts). */
async function statementsSent(pid: number, file: string): Promise<number> {
  fs.rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 100 && !fs.existsSync(file); i++) await sleep(20);
  await sleep(20);
  return Number(fs.readFileSync(file, 'utf8'));
}

/** `clients` loops share `total` calls of `fn`. */
async function inParallel(total: number, clients: number, fn: () => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        next++;
        await fn();
      }
    }),
  );
}

async function waitUntil(what: string, total: number, count: () => Promise<number>) {
  let done = 0;
  const stop = progress(what, total, () => done);
  try {
    const deadline = Date.now() + 600_000;
    for (done = await count(); done < total; done = await count()) {
      if (Date.now() > deadline) throw new Error(`${what}: only ${done}/${total} after 10 min`);
      await sleep(20);
    }
  } finally {
    stop();
  }
}

interface FullRun {
  tasks: number;
  tasks_per_s: number;
  failed: number;
  statements_per_task: number;
}

/** Whole code tasks, created through HTTP and run by the server's own workers. */
async function fullTasks(
  settings: { tasks: number; workers: number; clients: number },
  cleanup: Cleanup,
): Promise<FullRun> {
  const { url: dbUrl } = await createPgDatabase('tasklane_bench_tasks_full', cleanup);
  const statementsFile = path.join(os.tmpdir(), `tasklane-bench-statements-${process.pid}`);
  const server = await startTasklane(
    {
      ...SETTINGS,
      TASKLANE_DATABASE_URL: dbUrl,
      TASKLANE_WORKERS: String(settings.workers),
      // A fixed pool: the autoscaler would start it at its minimum.
      TASKLANE_AUTOSCALE_MIN_WORKERS: String(settings.workers),
      BENCH_STATEMENTS_FILE: statementsFile,
    },
    ['--import', './bench/fixtures/count-pg-statements.ts'],
  );
  cleanup.add(() => server.stop());
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  cleanup.add(() => db.end());
  const token = await signIn(server.url);
  const create = async () => {
    const res = await fetch(`${server.url}/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'bench',
        task_type: 'code',
        parameters: { language: 'bash', source: 'true' },
      }),
    });
    if (res.status !== 201)
      throw new Error(`POST /tasks answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  const finished = async () =>
    (
      await db.query<{ n: number }>(
        "select count(*)::int as n from tasks where status in ('succeeded', 'failed', 'cancelled')",
      )
    ).rows[0]!.n;
  // Warm-up: the sandbox, the JIT and the pool.
  await inParallel(20, settings.clients, create);
  await waitUntil('warm-up tasks', 20, finished);

  const before = await statementsSent(server.process.pid!, statementsFile);
  const t0 = performance.now();
  await Promise.all([
    inParallel(settings.tasks, settings.clients, create),
    waitUntil('full tasks', 20 + settings.tasks, finished),
  ]);
  const seconds = (performance.now() - t0) / 1000;
  const after = await statementsSent(server.process.pid!, statementsFile);
  const failed = (
    await db.query<{ n: number }>("select count(*)::int as n from tasks where status = 'failed'")
  ).rows[0]!.n;
  fs.rmSync(statementsFile, { force: true });
  return {
    tasks: settings.tasks,
    tasks_per_s: round(settings.tasks / seconds, 1),
    failed,
    statements_per_task: round((after - before) / settings.tasks, 1),
  };
}

/** graphile-worker: the same number of no-op jobs with the same concurrency. */
async function graphileJobs(
  settings: { tasks: number; workers: number; clients: number },
  cleanup: Cleanup,
): Promise<{ jobs: number; jobs_per_s: number }> {
  const { url } = await createPgDatabase('tasklane_bench_tasks_graphile', cleanup);
  const gw = await import('graphile-worker');
  const pool = new pg.Pool({ connectionString: url, max: Math.max(10, settings.workers + 2) });
  cleanup.add(() => pool.end());
  let done = 0;
  const runner = await gw.run({
    pgPool: pool,
    concurrency: settings.workers,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: new gw.Logger(() => () => {}),
    taskList: {
      noop: async () => {
        done++;
      },
    },
  });
  cleanup.add(async () => {
    await runner.stop();
  });
  const utils = await gw.makeWorkerUtils({ pgPool: pool });
  cleanup.add(async () => {
    await utils.release();
  });
  await inParallel(20, settings.clients, async () => void (await utils.addJob('noop', {})));
  await waitUntil('graphile warm-up', 20, async () => done);
  const t0 = performance.now();
  await Promise.all([
    inParallel(settings.tasks, settings.clients, async () => void (await utils.addJob('noop', {}))),
    waitUntil('graphile jobs', 20 + settings.tasks, async () => done),
  ]);
  return {
    jobs: settings.tasks,
    jobs_per_s: round(settings.tasks / ((performance.now() - t0) / 1000), 1),
  };
}

export async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(3),
    options: {
      tasks: { type: 'string', default: '400' },
      workers: { type: 'string', default: String(os.availableParallelism()) },
      clients: { type: 'string', default: '8' },
    },
  });
  const settings = {
    tasks: Number(values.tasks),
    workers: Number(values.workers),
    clients: Number(values.clients),
  };
  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(130)));
  try {
    const hello = await startHello();
    cleanup.add(() => hello.stop());
    await autocannon({ url: hello.url, connections: 8, duration: 2 });
    console.log(
      `autocannon: ${CONNECTIONS} connections, ${DURATION}s each; full tasks: ${settings.tasks} with ${settings.workers} workers, ${settings.clients} creating clients`,
    );

    const sqliteServer = await startTasklane(SETTINGS);
    cleanup.add(() => sqliteServer.stop());
    const helloA = await load(hello.url);
    const sqlite = await createRate(sqliteServer.url);
    await sqliteServer.stop();

    const { url: pgUrl } = await createPgDatabase('tasklane_bench_tasks_create', cleanup);
    const pgServer = await startTasklane({ ...SETTINGS, TASKLANE_DATABASE_URL: pgUrl });
    cleanup.add(() => pgServer.stop());
    const postgres = await createRate(pgServer.url);
    const helloB = await load(hello.url);
    await pgServer.stop();
    const baseline = round((helloA.rps + helloB.rps) / 2, 1);

    const full = await fullTasks(settings, cleanup);
    const graphile = await graphileJobs(settings, cleanup);

    console.log(
      barChart(
        '\ncreations/s through HTTP (higher is better)',
        [
          ['bare fastify hello (req/s)', baseline],
          ['POST /v1/tasks/tasks, SQLite', sqlite.rps],
          ['POST /v1/tasks/tasks, PostgreSQL', postgres.rps],
        ],
        '/s',
      ),
    );
    console.log(
      barChart(
        '\nwhole tasks/s on PostgreSQL (higher is better)',
        [
          ['graphile-worker no-op jobs', graphile.jobs_per_s],
          ['tasklane code tasks (`true`, sandboxed)', full.tasks_per_s],
        ],
        '/s',
      ),
    );
    const figures = {
      bench: 'tasks',
      duration_s: DURATION,
      connections: CONNECTIONS,
      workers: settings.workers,
      baseline_hello_rps: baseline,
      create_sqlite: sqlite,
      create_postgres: postgres,
      full_postgres: full,
      graphile_worker: graphile,
      create_ratio_sqlite: round(sqlite.rps / baseline, 4),
      create_ratio_postgres: round(postgres.rps / baseline, 4),
      full_ratio_pg_vs_graphile: round(full.tasks_per_s / graphile.jobs_per_s, 3),
      statements_per_task: full.statements_per_task,
    };
    console.log(JSON.stringify(figures));
  } finally {
    await cleanup.run();
  }
}
