/**
 * Named prepared statements for PostgreSQL. A statement the code runs with the same text
 * again and again (the precompiled ones, the queue's claim) is marked here; the pg
 * clients of our pool send marked texts as named statements, so each connection parses
 * and plans them once instead of on every call. Only marked texts are prepared: their
 * number is fixed by the code, not by the data, so a connection's set stays small.
 */
const names = new Map<string, string>();

/** Marks a statement text as worth preparing on every connection that runs it. */
export function markPrepared(text: string): void {
  if (!names.has(text)) names.set(text, `tasklane_${names.size + 1}`);
}

interface QueryableClient {
  query: (...args: unknown[]) => unknown;
}

/** Makes a pg client send marked texts (plain `query(text, values)` calls) as named statements. */
export function preparing(client: QueryableClient): void {
  const query = client.query.bind(client);
  client.query = (...args: unknown[]) => {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length === 2 ? names.get(text) : undefined;
    return name ? query({ name, text, values }) : query(...args);
  };
}
