/** The CodeGuide catalogs (document types, AI tools, project categories) in the database. */
import type { Selectable } from 'kysely';
import type { AiToolsTable, CatalogTable } from '../../db/codeguide-types.ts';
import type { Ctx } from '../context.ts';

export type CatalogRow = Selectable<CatalogTable>;
export type AiToolRow = Selectable<AiToolsTable>;

export function listDocumentTypes(ctx: Ctx, filter: { key?: string; activeOnly: boolean }) {
  let query = ctx.db.selectFrom('document_types').selectAll();
  if (filter.activeOnly) query = query.where('is_active', '=', 1);
  if (filter.key !== undefined) query = query.where('key', '=', filter.key);
  return query.orderBy('ordinal').orderBy('key').execute();
}

export function listAiTools(
  ctx: Ctx,
  filter: { key?: string; category?: string; activeOnly: boolean },
) {
  let query = ctx.db.selectFrom('ai_tools').selectAll();
  if (filter.activeOnly) query = query.where('is_active', '=', 1);
  if (filter.key !== undefined) query = query.where('key', '=', filter.key);
  if (filter.category !== undefined) query = query.where('category', '=', filter.category);
  return query.orderBy('ordinal').orderBy('key').execute();
}

export function listCategories(ctx: Ctx) {
  return ctx.db.selectFrom('project_categories').selectAll().orderBy('ordinal').execute();
}

export type CatalogTableName = 'document_types' | 'ai_tools';

export function findCatalogEntry(ctx: Ctx, table: CatalogTableName, key: string) {
  return ctx.db.selectFrom(table).selectAll().where('key', '=', key).executeTakeFirst();
}

export async function insertCatalogEntry(
  ctx: Ctx,
  table: CatalogTableName,
  row: CatalogTable & { category?: string },
): Promise<void> {
  if (table === 'ai_tools')
    await ctx.db
      .insertInto('ai_tools')
      .values({ ...row, category: row.category ?? 'other' })
      .execute();
  else await ctx.db.insertInto('document_types').values(row).execute();
}

export async function updateCatalogEntry(
  ctx: Ctx,
  table: CatalogTableName,
  key: string,
  changes: Partial<CatalogTable & { category: string }>,
): Promise<void> {
  if (table === 'ai_tools')
    await ctx.db.updateTable('ai_tools').set(changes).where('key', '=', key).execute();
  else {
    const { category: _, ...rest } = changes;
    await ctx.db.updateTable('document_types').set(rest).where('key', '=', key).execute();
  }
}
