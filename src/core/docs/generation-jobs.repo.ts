/** Background generation jobs in the database; reads are scoped to the owner. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { GenerationJobsTable } from '../../db/codeguide-types.ts';
import type { Ctx } from '../context.ts';

export type GenerationJobRow = Selectable<GenerationJobsTable>;

export async function insertGenerationJob(
  ctx: Ctx,
  row: Insertable<GenerationJobsTable>,
): Promise<void> {
  await ctx.db.insertInto('generation_jobs').values(row).execute();
}

export function findGenerationJob(ctx: Ctx, id: string): Promise<GenerationJobRow | undefined> {
  return ctx.db.selectFrom('generation_jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserGenerationJob(
  ctx: Ctx,
  userId: number,
  id: string,
): Promise<GenerationJobRow | undefined> {
  return ctx.db
    .selectFrom('generation_jobs')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export async function updateGenerationJob(
  ctx: Ctx,
  id: string,
  changes: Updateable<GenerationJobsTable>,
): Promise<void> {
  await ctx.db.updateTable('generation_jobs').set(changes).where('id', '=', id).execute();
}
