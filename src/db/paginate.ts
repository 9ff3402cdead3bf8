/**
 * One page of a list and the total it is a page of, for the list endpoints: the same
 * filtered query runs twice, once for the rows (ordered by creation, then id, so pages
 * are stable) and once for the count.
 */
import { type Selectable, type SelectQueryBuilder, sql } from 'kysely';

export interface PageRequest {
  limit: number;
  offset: number;
}

export async function paginate<DB, TB extends keyof DB>(
  base: SelectQueryBuilder<DB, TB, object>,
  page: PageRequest,
  order: 'newest' | 'oldest' = 'newest',
): Promise<{ rows: Selectable<DB[TB]>[]; total: number }> {
  const direction = order === 'newest' ? sql`desc` : sql`asc`;
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy(sql`created_at ${direction}`)
      .orderBy(sql`id ${direction}`)
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return {
    rows: rows as Selectable<DB[TB]>[],
    total: Number((count as { n?: number } | undefined)?.n ?? 0),
  };
}
