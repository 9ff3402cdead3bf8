/**
 * A fresh, real database for each test file: a SQLite file in a temp dir, or a new
 * PostgreSQL database when TEST_DB=postgres (dropped afterwards).
 */
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const TEST_DB = (process.env.TEST_DB ?? 'sqlite') as 'sqlite' | 'postgres';
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Replicas on one PostgreSQL must share their keys (the server refuses to start
 * otherwise): one random set per test process, on PostgreSQL only, so SQLite runs keep
 * exercising the generated per-data-dir keys.
 */
export const SHARED_KEYS: Record<string, string> =
  TEST_DB === 'postgres'
    ? {
        TASKLANE_JWT_SECRET: randomBytes(32).toString('base64url'),
        TASKLANE_SECRET_KEY: randomBytes(32).toString('hex'),
      }
    : {};

/**
 * A uid range of its own for each test server. Test files run in parallel on one host,
 * and RLIMIT_NPROC counts processes per uid: servers sharing a range would count each
 * other's sandboxes (a long-running environment in one file made another's `find | head`
 * fail with "Cannot fork"). Ranges are 10,000,000 apart; uids stay below 2^31 (some tools read them as signed).
 */
export function sandboxUidBase(): string {
  return String(200_000 + randomInt(0, 200) * 10_000_000);
}

export interface TestDatabase {
  /** Value for TASKLANE_DATABASE_URL. */
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(dir: string): Promise<TestDatabase> {
  if (TEST_DB === 'sqlite') {
    const file = path.join(dir, 'test.db');
    return { url: `sqlite:${file}`, drop: async () => {} };
  }
  const name = `tl_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: PG_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

export function makeTempDir(prefix = 'tasklane-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
