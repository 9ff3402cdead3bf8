/**
 * Named prepared statements (src/db/prepared.ts): a marked text goes to PostgreSQL as a
 * named statement, parsed once per connection; anything else stays unnamed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { markPrepared, preparing } from '../../src/db/prepared.ts';
import { TEST_DB } from '../helpers/db.ts';

const url = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

test('marked texts are prepared once per connection; others are not', {
  skip: TEST_DB !== 'postgres' && 'PostgreSQL only',
}, async () => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    preparing(client as never);
    const marked = 'select $1::int + 1 as n /* prepared.test marked */';
    const unmarked = 'select $1::int + 2 as n /* prepared.test unmarked */';
    markPrepared(marked);
    for (let i = 1; i <= 3; i++) {
      assert.equal((await client.query(marked, [i])).rows[0].n, i + 1);
      assert.equal((await client.query(unmarked, [i])).rows[0].n, i + 2);
    }
    const { rows } = await client.query<{ statement: string }>(
      'select statement from pg_prepared_statements',
    );
    assert.deepEqual(
      rows.map((r) => r.statement),
      [marked],
      'only the marked text is a named statement, and it was prepared once',
    );
    // Other call shapes pass through untouched (config objects, no values).
    assert.equal((await client.query({ text: marked, values: [5] })).rows[0].n, 6);
    assert.equal((await client.query('select 7 as n')).rows[0].n, 7);
  } finally {
    await client.end();
  }
});
