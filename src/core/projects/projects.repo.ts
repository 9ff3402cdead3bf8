/** Projects and their documents in the database; every query is scoped to the owner. */
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { ProjectDocumentsTable, ProjectsTable } from '../../db/codeguide-types.ts';
import type { Ctx } from '../context.ts';
import type { ProjectListQuery } from './projects.types.ts';

export type ProjectRow = Selectable<ProjectsTable>;
export type ProjectDocumentRow = Selectable<ProjectDocumentsTable>;

export function insertProject(ctx: Ctx, row: Insertable<ProjectsTable>): Promise<ProjectRow> {
  return ctx.db.insertInto('projects').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findUserProject(
  ctx: Ctx,
  userId: number,
  id: string,
): Promise<ProjectRow | undefined> {
  return ctx.db
    .selectFrom('projects')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export function listUserProjects(ctx: Ctx, userId: number): Promise<ProjectRow[]> {
  return ctx.db
    .selectFrom('projects')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * The rows of `table` whose search_text contains `text` (case-insensitive; `%`, `_` and
 * `\\` literal), through the table's trigram index (see migration 0008): pg_trgm on
 * PostgreSQL, the FTS5 trigram table on SQLite. SQLite's FTS5 uses its index only for a
 * LIKE without ESCAPE, so the clause is added only when the text needs it.
 */
export function searchMatches(ctx: Ctx, table: 'projects' | 'project_tasks', text: string) {
  const needsEscape = /[\\%_]/.test(text);
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (ctx.dialect === 'postgres') return sql<boolean>`search_text like ${pattern}`;
  const fts = sql.raw(`${table}_fts`);
  return needsEscape
    ? sql<boolean>`rowid in (select rowid from ${fts} where search_text like ${pattern} escape '\\')`
    : sql<boolean>`rowid in (select rowid from ${fts} where search_text like ${pattern})`;
}

export async function pageUserProjects(
  ctx: Ctx,
  userId: number,
  query: ProjectListQuery,
): Promise<{ rows: ProjectRow[]; total: number }> {
  let base = ctx.db.selectFrom('projects').where('user_id', '=', userId);
  if (query.search) base = base.where(searchMatches(ctx, 'projects', query.search));
  if (query.status !== undefined) base = base.where('status', '=', query.status);
  if (query.from !== undefined) base = base.where('created_at', '>=', query.from);
  if (query.to !== undefined) base = base.where('created_at', '<=', query.to);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('created_at', query.sort)
      .orderBy('id', query.sort)
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize)
      .execute(),
    base.select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

export function updateProject(
  ctx: Ctx,
  id: string,
  changes: Updateable<ProjectsTable>,
): Promise<ProjectRow> {
  return ctx.db
    .updateTable('projects')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Deletes a project; its documents, task groups, tasks and generation jobs go with it. */
export async function deleteProject(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('projects').where('id', '=', id).execute();
}

export function documentsOf(ctx: Ctx, projectIds: string[]): Promise<ProjectDocumentRow[]> {
  if (projectIds.length === 0) return Promise.resolve([]);
  return ctx.db
    .selectFrom('project_documents')
    .selectAll()
    .where('project_id', 'in', projectIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Stores a generated document, replacing the project's earlier one of the same type. */
export async function upsertDocument(
  ctx: Ctx,
  row: Insertable<ProjectDocumentsTable>,
): Promise<ProjectDocumentRow> {
  return ctx.db
    .insertInto('project_documents')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['project_id', 'document_type'])
        .doUpdateSet({ content: row.content, updated_at: row.updated_at }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}
