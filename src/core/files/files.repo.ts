/** Queries of stored files; every read is scoped to the acting user or tenant. */
import type { Selectable } from 'kysely';
import type { FilesTable } from '../../db/types.ts';
import type { Ctx } from '../context.ts';
import type { StoredFile } from './files.types.ts';

export type FileRow = Selectable<FilesTable>;

export function toFile(row: Selectable<FilesTable>): StoredFile {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    taskId: row.task_id,
    kind: row.kind as StoredFile['kind'],
    name: row.name,
    sha256: row.sha256,
    size: row.size,
    contentType: row.content_type,
    description: row.description,
    status: row.status,
    createdAt: row.created_at,
  };
}

export async function insertFile(ctx: Ctx, row: Selectable<FilesTable>): Promise<StoredFile> {
  await ctx.db.insertInto('files').values(row).execute();
  return toFile(row);
}

export type FileScope = { userId: number } | { tenantId: string } | 'any';

export async function findFile(
  ctx: Ctx,
  id: string,
  scope: FileScope,
): Promise<StoredFile | undefined> {
  let query = ctx.db.selectFrom('files').selectAll().where('id', '=', id);
  if (scope !== 'any') {
    query =
      'userId' in scope
        ? query.where('user_id', '=', scope.userId)
        : query.where('tenant_id', '=', scope.tenantId);
  }
  const row = await query.executeTakeFirst();
  return row && toFile(row);
}

export async function listTaskFiles(ctx: Ctx, taskId: string): Promise<StoredFile[]> {
  const rows = await ctx.db
    .selectFrom('files')
    .selectAll()
    .where('task_id', '=', taskId)
    .orderBy('created_at')
    .orderBy('name')
    .execute();
  return rows.map(toFile);
}

/** The newest upload of this user with this name (AutoServe's parameters name files by filename). */
export async function findUploadByName(
  ctx: Ctx,
  userId: number,
  name: string,
): Promise<StoredFile | undefined> {
  const row = await ctx.db
    .selectFrom('files')
    .selectAll()
    .where('user_id', '=', userId)
    .where('kind', '=', 'upload')
    .where('name', '=', name)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row && toFile(row);
}

export async function deleteTaskFiles(ctx: Ctx, taskId: string): Promise<void> {
  await ctx.db.deleteFrom('files').where('task_id', '=', taskId).execute();
}
