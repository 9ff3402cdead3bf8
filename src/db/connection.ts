/**
 * Opens the database named by config: SQLite through node:sqlite (embedded) or
 * PostgreSQL through a pg pool (scaled). The pg driver is loaded only for PostgreSQL:
 * an embedded server does not carry it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import type { Config } from '../config.ts';
import type { DialectName } from './dialect.ts';
import { preparing } from './prepared.ts';
import { NodeSqliteDialect } from './sqlite-dialect.ts';
import type { Database } from './types.ts';

export type Db = Kysely<Database>;

export interface DbHandle {
  db: Db;
  dialect: DialectName;
  /** The pg pool, for LISTEN/NOTIFY and health checks; undefined on SQLite. */
  pool: pg.Pool | undefined;
  /** A real round trip (`select 1`), for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// int8 (counts, epoch-ms times) as JS numbers: every value we store fits in 2^53.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
function pgTypes(types: typeof pg.types) {
  return {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
      return types.getTypeParser(oid, format as 'text');
    },
  };
}

/** Opens (and for SQLite, creates) the configured database. */
export async function openDatabase(database: Config['database']): Promise<DbHandle> {
  if (database.kind === 'postgres') {
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({
      connectionString: database.url,
      max: database.poolSize,
      types: pgTypes(pg.types) as pg.CustomTypesConfig,
      application_name: 'tasklane',
    });
    // An idle client's error (server restart) must not crash the process.
    pool.on('error', () => {});
    pool.on('connect', (client) => preparing(client as never));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', pool, ping: () => ping(db), close: () => db.destroy() };
  }
  if (database.path !== ':memory:') fs.mkdirSync(path.dirname(database.path), { recursive: true });
  const db = new Kysely<Database>({ dialect: new NodeSqliteDialect({ path: database.path }) });
  if (database.path !== ':memory:') restrictPermissions(database.path);
  return {
    db,
    dialect: 'sqlite',
    pool: undefined,
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** The database holds password hashes and sealed secrets: only our own user may read it. */
function restrictPermissions(file: string): void {
  // SQLite gives the -wal and -shm files the main file's permissions.
  try {
    fs.closeSync(fs.openSync(file, 'a', 0o600));
    fs.chmodSync(file, 0o600);
  } catch {
    // A file we cannot chmod (not ours) is the operator's business.
  }
}
