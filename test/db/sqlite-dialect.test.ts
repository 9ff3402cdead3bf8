/**
 * The node:sqlite dialect's rows: read as arrays and built into objects per statement
 * (sqlite-dialect.ts), they must equal what node:sqlite's own row objects hold, keep
 * working when the schema under a cached statement changes, and survive odd names.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { Kysely, sql } from 'kysely';
import { NodeSqliteDialect } from '../../src/db/sqlite-dialect.ts';

function open(): Kysely<Record<string, Record<string, unknown>>> {
  return new Kysely({ dialect: new NodeSqliteDialect({ path: ':memory:' }) });
}

test('rows equal node:sqlite’s own row objects, every type and odd names included', async () => {
  const db = open();
  const ddl = `create table t (id text primary key, n integer, r real, b blob, z text, "we""ird key" text, "__proto__" text)`;
  const insert = `insert into t values ('a', 7, 1.5, x'0102', null, 'q"uote', 'p'), ('b', -1, 0, x'', 'x', '', '')`;
  await sql.raw(ddl).execute(db);
  await sql.raw(insert).execute(db);
  const reference = new DatabaseSync(':memory:');
  reference.exec(ddl);
  reference.exec(insert);
  const expected = reference.prepare('select * from t order by id').all();
  const { rows } = await sql.raw('select * from t order by id').execute(db);
  assert.deepEqual(
    rows.map((row) => ({ ...(row as object) })),
    expected.map((row) => ({ ...row })),
  );
  assert.equal((rows[0] as Record<string, unknown>)['we"ird key'], 'q"uote');
  // A column named __proto__ is an own property, as node:sqlite makes it.
  assert.ok(Object.hasOwn(rows[0] as object, '__proto__'));
  await db.destroy();
});

test('a repeated column name keeps its last value', async () => {
  const db = open();
  const { rows } = await sql.raw('select 1 as x, 2 as x').execute(db);
  assert.deepEqual(rows, [{ x: 2 }]);
  await db.destroy();
});

test('a cached select * follows a column added or dropped under it', async () => {
  const db = open();
  await sql.raw('create table t (id text, a text)').execute(db);
  await sql.raw("insert into t values ('1', 'one')").execute(db);
  const read = () => db.selectFrom('t').selectAll().execute();
  assert.deepEqual(await read(), [{ id: '1', a: 'one' }]);
  await sql.raw("alter table t add column c text default 'new'").execute(db);
  assert.deepEqual(await read(), [{ id: '1', a: 'one', c: 'new' }]);
  assert.deepEqual(await read(), [{ id: '1', a: 'one', c: 'new' }]);
  await sql.raw('alter table t drop column a').execute(db);
  assert.deepEqual(await read(), [{ id: '1', c: 'new' }]);
  await db.destroy();
});

test('statements without rows report changes; RETURNING gives rows', async () => {
  const db = open();
  await sql.raw('create table t (id integer primary key, v text)').execute(db);
  const inserted = await db
    .insertInto('t')
    .values([{ v: 'a' }, { v: 'b' }])
    .executeTakeFirst();
  assert.equal(inserted.numInsertedOrUpdatedRows, 2n);
  const returned = await db
    .updateTable('t')
    .set({ v: 'c' })
    .where('id', '=', 1)
    .returning(['id', 'v'])
    .execute();
  assert.deepEqual(returned, [{ id: 1, v: 'c' }]);
  await db.destroy();
});
