/**
 * Repository analysis in the database: tasks (read by their random id alone, or by the
 * job) and analysed repositories (every query scoped to the owner).
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type {
  AnalyzedRepositoriesTable,
  RepositoryAnalysisTasksTable,
} from '../../db/repository-analysis-types.ts';
import type { Ctx } from '../context.ts';

export type AnalysisTaskRow = Selectable<RepositoryAnalysisTasksTable>;
export type RepositoryRow = Selectable<AnalyzedRepositoriesTable>;

export async function insertTask(
  ctx: Ctx,
  row: Insertable<RepositoryAnalysisTasksTable>,
): Promise<void> {
  await ctx.db.insertInto('repository_analysis_tasks').values(row).execute();
}

export function findTask(ctx: Ctx, id: string): Promise<AnalysisTaskRow | undefined> {
  return ctx.db
    .selectFrom('repository_analysis_tasks')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function updateTask(
  ctx: Ctx,
  id: string,
  changes: Updateable<RepositoryAnalysisTasksTable>,
): Promise<void> {
  await ctx.db.updateTable('repository_analysis_tasks').set(changes).where('id', '=', id).execute();
}

/**
 * The owner's repository row for its URL: created the first time, touched after that
 * (one row per user and URL, also when two analyses finish at once). The caller then
 * sets its results (setRepositoryResults) in the same transaction.
 */
export async function upsertRepository(
  ctx: Ctx,
  row: Insertable<AnalyzedRepositoriesTable>,
): Promise<RepositoryRow> {
  await ctx.db
    .insertInto('analyzed_repositories')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['user_id', 'repository_url']).doUpdateSet({
        name: row.name,
        last_task_id: row.last_task_id,
        updated_at: row.updated_at,
      }),
    )
    .execute();
  return (await ctx.db
    .selectFrom('analyzed_repositories')
    .selectAll()
    .where('user_id', '=', row.user_id)
    .where('repository_url', '=', row.repository_url)
    .executeTakeFirst())!;
}

export async function setRepositoryResults(ctx: Ctx, id: string, results: string): Promise<void> {
  await ctx.db
    .updateTable('analyzed_repositories')
    .set({ analysis_results: results })
    .where('id', '=', id)
    .execute();
}

export interface Owner {
  userId: number;
  tenantId: string;
}

export function findUserRepository(
  ctx: Ctx,
  owner: Owner,
  id: string,
): Promise<RepositoryRow | undefined> {
  return ctx.db
    .selectFrom('analyzed_repositories')
    .selectAll()
    .where('id', '=', id)
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId)
    .executeTakeFirst();
}

/** A page of the owner's repositories, newest first, and how many they have. */
export async function pageUserRepositories(
  ctx: Ctx,
  owner: Owner,
  page: { offset: number; limit: number },
): Promise<{ rows: RepositoryRow[]; total: number }> {
  const base = ctx.db
    .selectFrom('analyzed_repositories')
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId);
  const [rows, count] = await Promise.all([
    base
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/** Deletes the owner's repository (its analysis tasks go with it); false when none. */
export async function deleteUserRepository(ctx: Ctx, owner: Owner, id: string): Promise<boolean> {
  const result = await ctx.db
    .deleteFrom('analyzed_repositories')
    .where('id', '=', id)
    .where('tenant_id', '=', owner.tenantId)
    .where('user_id', '=', owner.userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
