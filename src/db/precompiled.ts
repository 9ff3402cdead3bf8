/**
 * Queries built and compiled once per dialect, then run with new parameters: for the
 * few statements every request runs (authentication) and every task creation runs
 * (the user, the job, the task, its event, the quota), where Kysely's building and
 * compiling cost more than SQLite takes to answer. The query is built with marker
 * values; each marker's place in the compiled parameters is then filled from the
 * call's arguments. Only for queries whose shape does not depend on their arguments.
 * On PostgreSQL they are also named prepared statements (prepared.ts).
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { DialectName } from './dialect.ts';
import { markPrepared } from './prepared.ts';
import type { Database } from './types.ts';

interface Compilable<Row> {
  compile(): CompiledQuery<Row>;
}

class Marker {
  readonly index: number;
  constructor(index: number) {
    this.index = index;
  }
}

export function precompiled<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
): (db: Kysely<Database>, dialect: DialectName, ...args: Args) => Promise<Row[]> {
  const compiled = new Map<DialectName, CompiledQuery<Row>>();
  return async (db, dialect, ...args) => {
    let query = compiled.get(dialect);
    if (!query) {
      const markers = args.map((_, i) => new Marker(i)) as unknown as Args;
      query = build(db, ...markers).compile();
      if (!query.parameters.some((p) => p instanceof Marker))
        throw new Error('precompiled: the query uses none of its arguments');
      if (dialect === 'postgres') markPrepared(query.sql);
      compiled.set(dialect, query);
    }
    const parameters = query.parameters.map((p) => (p instanceof Marker ? args[p.index] : p));
    const result = await db.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  };
}

/**
 * A statement over one row that always names the same columns (`columns`, every key a
 * row has), compiled once per dialect like `precompiled`: the row's values fill the
 * compiled parameters in the columns' order.
 */
export function precompiledRow<Row extends object, Result>(
  columns: readonly (keyof Row & string)[],
  build: (db: Kysely<Database>, row: Row) => Compilable<Result>,
): (db: Kysely<Database>, dialect: DialectName, row: Row) => Promise<Result[]> {
  const run = precompiled((db, ...values: unknown[]) =>
    build(db, Object.fromEntries(columns.map((column, i) => [column, values[i]])) as Row),
  );
  return (db, dialect, row) => run(db, dialect, ...columns.map((column) => row[column]));
}

/** Every key of a row type, checked complete by the compiler (`satisfies`). */
export function columnsOf<Row extends object>(all: Record<keyof Row & string, true>) {
  return Object.keys(all) as (keyof Row & string)[];
}
