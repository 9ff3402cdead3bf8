/**
 * Plumbing the benchmarks that use PostgreSQL share: a fresh database per system
 * (dropped afterwards, also on Ctrl-C), undo steps, timeouts and a progress line.
 */
import pg from 'pg';

export const PG_ADMIN_URL =
  process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Undo steps, run last-in first-out; also on Ctrl-C, so no database or temp dir is left. */
export class Cleanup {
  readonly #steps: (() => Promise<void>)[] = [];
  #running: Promise<void> | undefined;
  add(step: () => Promise<void>): void {
    this.#steps.push(step);
  }
  /** Concurrent calls (Ctrl-C during a phase) share one pass, which also takes late steps. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
        try {
          await step();
        } catch (error) {
          console.error(`cleanup step failed: ${(error as Error).message}`);
        }
      }
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }
}

export async function createPgDatabase(prefix: string, cleanup: Cleanup): Promise<{ url: string }> {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `cannot reach PostgreSQL at ${PG_ADMIN_URL} (set BENCH_PG_URL, or --targets sqlite): ${(error as Error).message}`,
    );
  }
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  cleanup.add(async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    try {
      // Let closing pools finish on their own before forcing anyone off.
      for (let i = 0; i < 50; i++) {
        const { rows } = await client.query<{ n: number }>(
          'select count(*)::int as n from pg_stat_activity where datname = $1',
          [name],
        );
        if (rows[0]!.n === 0) break;
        await sleep(100);
      }
      await client.query(`drop database if exists ${name} with (force)`);
    } finally {
      await client.end();
    }
  });
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString() };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A live "done/total" line on stderr while a phase runs (a line every 2 s when not a TTY). */
export function progress(what: string, total: number, done: () => number): () => void {
  const tty = process.stderr.isTTY;
  const t0 = performance.now();
  const show = () => {
    const line = `  … ${what}: ${done()}/${total} started, ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
  const timer = setInterval(show, tty ? 250 : 2000);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (tty) process.stderr.write('\r\x1b[K');
  };
}
