import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { dialectOf } from '../../src/db/dialect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { TEST_DB } from '../helpers/db.ts';
import { startRuntime, type TestRuntime } from '../helpers/runtime.ts';

let t: TestRuntime;
before(async () => {
  t = await startRuntime();
});
after(() => t.close());

test(`runs on ${TEST_DB} and migrations are idempotent`, async () => {
  const { db } = t.runtime.database;
  assert.equal(dialectOf(db), TEST_DB);
  const again = await migrateToLatest(db);
  assert.deepEqual(again.results, []);
  const tables = await db.introspection.getTables();
  const names = tables.map((table) => table.name);
  for (const name of ['tenants', 'users', 'refresh_tokens', 'revoked_tokens'])
    assert.ok(names.includes(name), name);
});

test('a failed transaction leaves nothing behind', async () => {
  const { db } = t.runtime.database;
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await trx
        .insertInto('tenants')
        .values({ id: 'rollback-me', name: 'x', created_at: 1, updated_at: 1 })
        .execute();
      throw new Error('boom');
    }),
    /boom/,
  );
  const row = await db
    .selectFrom('tenants')
    .select('id')
    .where('id', '=', 'rollback-me')
    .executeTakeFirst();
  assert.equal(row, undefined);
});

test('concurrent transactions serialise without losing writes', async () => {
  const { db } = t.runtime.database;
  await db
    .insertInto('tenants')
    .values({ id: 'counter', name: '0', created_at: 1, updated_at: 0 })
    .execute();
  await Promise.all(
    Array.from({ length: 20 }, () =>
      db.transaction().execute(async (trx) => {
        // Row lock on PostgreSQL; the single writer on SQLite.
        await trx
          .updateTable('tenants')
          .set({ updated_at: sql`updated_at + 1` })
          .where('id', '=', 'counter')
          .execute();
      }),
    ),
  );
  const row = await db
    .selectFrom('tenants')
    .select('updated_at')
    .where('id', '=', 'counter')
    .executeTakeFirstOrThrow();
  assert.equal(row.updated_at, 20);
});

test('times are epoch-ms numbers and booleans 0/1 on both engines', async () => {
  const { db } = t.runtime.database;
  const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  await db
    .insertInto('tenants')
    .values({ id: 'types', name: 'x', created_at: now, updated_at: now })
    .execute();
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', 'types')
    .executeTakeFirstOrThrow();
  assert.equal(typeof row.created_at, 'number');
  assert.equal(row.created_at, now);
  const { rows } = await sql<{ b: number }>`select ${1} as b`.execute(db);
  assert.equal(Number(rows[0]!.b), 1);
});
