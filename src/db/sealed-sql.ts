/**
 * SQL shared by the repos of sealed columns: "not sealed by this key", the test a key
 * rotation walks each column with. A prefix comparison, not LIKE: key ids are base64url
 * and `_` is a LIKE wildcard.
 */
import { type RawBuilder, sql } from 'kysely';

export const RESEAL_BATCH = 200;

export function sealedByOtherKey(column: string, keyId: string): RawBuilder<boolean> {
  const prefix = `v2.${keyId}.`;
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${prefix.length}) <> ${prefix}`;
}
