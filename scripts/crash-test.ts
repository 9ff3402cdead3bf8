/**
 * Crash test: acknowledged tasks survive workers being killed with SIGKILL.
 *
 *   node scripts/crash-test.ts --db postgres --tasks 1000 --workers 3
 *   node scripts/crash-test.ts --db sqlite --tasks 200
 *
 * PostgreSQL: N `tasklane worker` processes run the tasks while a chaos loop SIGKILLs a
 * random one every second or so and restarts it. SQLite: `tasklane serve` is killed
 * with SIGKILL mid-run and restarted. Either way every task must reach a terminal state,
 * none may be lost, and none may complete twice (one terminal event per task, one
 * successful job per task). Prints progress, then one JSON line; exits 1 on a violation.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createContext, systemActor } from '../src/core/context.ts';
import { authenticateApiKey } from '../src/core/identity/auth.service.ts';
import { registerUser } from '../src/core/identity/users.service.ts';
import { createTask } from '../src/core/tasks/tasks.service.ts';
import { createRuntime } from '../src/runtime.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgres' },
    tasks: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '3' },
    slots: { type: 'string', default: '4' },
    'pg-url': {
      type: 'string',
      default: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    timeout: { type: 'string', default: '600' },
  },
});
const kind = values.db as 'postgres' | 'sqlite';
const taskCount = Number(values.tasks);
const workerCount = Number(values.workers);
const timeoutMs = Number(values.timeout) * 1000;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tasklane-crash-'));
const dbName = `tasklane_crash_${process.pid}`;
let databaseUrl = `sqlite:${path.join(dataDir, 'tasklane.db')}`;
if (kind === 'postgres') {
  const admin = new pg.Client({ connectionString: values['pg-url'] });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const url = new URL(values['pg-url']!);
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
}

const env: Record<string, string> = {
  ...(process.env as Record<string, string>),
  TASKLANE_DATA_DIR: dataDir,
  TASKLANE_DATABASE_URL: databaseUrl,
  TASKLANE_LOG_LEVEL: 'error',
  TASKLANE_PORT: '0',
  TASKLANE_JOB_LEASE_MS: '3000',
  TASKLANE_JOB_HEARTBEAT_MS: '500',
  TASKLANE_JOB_POLL_MS: '200',
  TASKLANE_JOB_SWEEP_MS: '500',
  TASKLANE_TENANT_CONCURRENCY: '0',
  TASKLANE_JWT_SECRET: 'crash-test-secret-crash-test-secret-0123',
  TASKLANE_SECRET_KEY: 'a'.repeat(64),
};

// Set up: schema, a user with room in the quota, and the tasks (each acknowledged = committed).
const runtime = await createRuntime(loadConfig(env), { migrate: true });
const system = createContext(runtime, systemActor);
const { apiKey } = await registerUser(system, {
  username: 'crash',
  email: 'crash@example.com',
  password: 'crash-password',
  dailyLimit: taskCount + 10,
});
const owner = createContext(runtime, await authenticateApiKey(system, apiKey));
const ids: string[] = [];
for (let i = 0; i < taskCount; i++) {
  // A short, varied amount of work in the real sandbox, so kills land mid-run.
  const task = await createTask(owner, {
    kind: 'code',
    parameters: { language: 'bash', source: `sleep 0.0${i % 10}; echo ${i}` },
    source: 'crash-test',
  });
  ids.push(task.id);
}
log(`created ${ids.length} tasks on ${kind}`);

// Run: processes that work the queue, and chaos.
const procs: (ChildProcess | undefined)[] = [];
const startProcess = (slot: number) => {
  const args =
    kind === 'postgres'
      ? ['src/cli.ts', 'worker', '--workers', values.slots!]
      : ['src/cli.ts', 'serve', '--workers', values.slots!];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  procs[slot] = child;
};
const slots = kind === 'postgres' ? workerCount : 1;
for (let s = 0; s < slots; s++) startProcess(s);

let kills = 0;
let ticks = 0;
const started = Date.now();
let done = 0;
while (Date.now() - started < timeoutMs) {
  // One SQLite server restarts slower than it is killed at PostgreSQL's pace: give it time to work.
  await sleep(
    kind === 'sqlite' && kills > 0 ? 2500 + Math.random() * 1500 : 700 + Math.random() * 800,
  );
  done = await countTerminal();
  const bar = '█'.repeat(Math.round((done / taskCount) * 40)).padEnd(40, '░');
  // A live bar on a terminal; a line every ~10 ticks in a CI log.
  const line = `  ${bar} ${done}/${taskCount} terminal, ${kills} kills`;
  if (process.stdout.isTTY) process.stdout.write(`\r${line}`);
  else if (ticks++ % 10 === 0 || done === taskCount) console.log(line);
  if (done === taskCount) break;
  // Kill while there is still work in flight; leave the last stretch to finish.
  if (done < taskCount * 0.9) {
    const slot = Math.floor(Math.random() * slots);
    procs[slot]?.kill('SIGKILL');
    kills++;
    await sleep(200 + Math.random() * 500);
    startProcess(slot);
  }
}
process.stdout.write('\n');
for (const child of procs) child?.kill('SIGTERM');
await sleep(1500);
for (const child of procs) child?.kill('SIGKILL');

// Verify.
const db = runtime.database.db;
const tasks = await db.selectFrom('tasks').select(['id', 'status']).execute();
const terminalEvents = await db
  .selectFrom('events')
  .select(['subject_id', (eb) => eb.fn.countAll<number>().as('n')])
  .where('type', 'in', ['task.completed', 'task.failed', 'task.cancelled'])
  .groupBy('subject_id')
  .execute();
const succeededJobs = await db
  .selectFrom('jobs')
  .select(['payload', (eb) => eb.fn.countAll<number>().as('n')])
  .where('status', '=', 'succeeded')
  // Task runs only: scheduled housekeeping jobs legitimately repeat with the same payload.
  .where('kind', '=', 'task.run')
  .groupBy('payload')
  .execute();
const byStatus = Object.fromEntries(
  ['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((s) => [
    s,
    tasks.filter((t) => t.status === s).length,
  ]),
);
const lost = ids.filter((id) => !tasks.some((t) => t.id === id)).length;
const notTerminal = tasks.filter(
  (t) => !['succeeded', 'failed', 'cancelled'].includes(t.status),
).length;
const completedTwice =
  terminalEvents.filter((e) => Number(e.n) > 1).length +
  succeededJobs.filter((j) => Number(j.n) > 1).length;
const missingTerminalEvent = tasks.length - terminalEvents.length;
const summary = {
  bench: 'crash-test',
  db: kind,
  tasks: taskCount,
  worker_processes: slots,
  kills,
  seconds: Math.round((Date.now() - started) / 100) / 10,
  by_status: byStatus,
  lost,
  not_terminal: notTerminal,
  completed_twice: completedTwice,
  missing_terminal_event: missingTerminalEvent,
};
await runtime.close();
if (kind === 'postgres') {
  const admin = new pg.Client({ connectionString: values['pg-url'] });
  await admin.connect();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(JSON.stringify(summary));
const ok = lost === 0 && notTerminal === 0 && completedTwice === 0 && missingTerminalEvent === 0;
if (!ok) console.error('CRASH TEST FAILED: a task was lost, left unfinished or completed twice');
process.exit(ok ? 0 : 1);

async function countTerminal(): Promise<number> {
  const row = await runtime.database.db
    .selectFrom('tasks')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', 'in', ['succeeded', 'failed', 'cancelled'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function log(message: string) {
  console.log(`crash-test: ${message}`);
}
