/**
 * Recorded API calls wait here and are written in batches: one multi-row insert per
 * flush interval (or per full batch) instead of one statement per request, so logging
 * every authenticated request costs the hot path an array push (measured in
 * `npm run bench -- http`). A reader flushes first (listApiUsageLogs), so a user always
 * sees their own calls on the replica that served them; other replicas write theirs
 * within one interval. What cannot be written (the database is down) is dropped with a
 * warning: the log is a record, never a reason to fail or to grow without bound.
 */
import type { Logger } from 'pino';
import type { NewApiUsageLogRow as ApiCallRow } from './api-usage-logs.repo.ts';

/** Rows per insert statement: far below SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const ROWS_PER_STATEMENT = 500;
/** Rows kept while writes fail or lag; beyond it the oldest are dropped. */
const MAX_PENDING = 20_000;

export class ApiCallBuffer {
  readonly #write: (rows: ApiCallRow[]) => Promise<void>;
  readonly #log: Logger;
  readonly #flushMs: number;
  #pending: ApiCallRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;
  dropped = 0;

  constructor(write: (rows: ApiCallRow[]) => Promise<void>, log: Logger, flushMs: number) {
    this.#write = write;
    this.#log = log;
    this.#flushMs = flushMs;
  }

  record(row: ApiCallRow): void {
    if (this.#closed) return;
    if (this.#pending.length >= MAX_PENDING) {
      this.#pending.shift();
      this.dropped++;
    }
    this.#pending.push(row);
    if (this.#pending.length >= ROWS_PER_STATEMENT) void this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#flushMs);
      this.#timer.unref();
    }
  }

  /** Writes what is pending; resolves once everything recorded before the call is written. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const rows = this.#pending;
    this.#pending = [];
    // Chained: batches reach the database in the order they were recorded.
    this.#flushing = this.#flushing.then(() => this.#writeAll(rows));
    return this.#flushing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  async #writeAll(rows: ApiCallRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const batch = rows.slice(i, i + ROWS_PER_STATEMENT);
      try {
        await this.#write(batch);
      } catch (error) {
        this.dropped += batch.length;
        this.#log.warn({ err: error, rows: batch.length }, 'API usage log rows dropped');
      }
    }
  }
}
