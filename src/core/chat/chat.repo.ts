/** Conversations and messages in the database: the only place their queries live. */
import type { Insertable, Selectable } from 'kysely';
import { paginate } from '../../db/paginate.ts';
import type { ConversationsTable, MessagesTable } from '../../db/types.ts';
import { type Ctx, withTransaction } from '../context.ts';

export type ConversationRow = Selectable<ConversationsTable>;
export type MessageRow = Selectable<MessagesTable>;

export function insertConversation(
  ctx: Ctx,
  row: Insertable<ConversationsTable>,
): Promise<ConversationRow> {
  return ctx.db.insertInto('conversations').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The user's own conversation (tenant-mates do not see it), or undefined. */
export function findConversation(
  ctx: Ctx,
  owner: { userId: number; tenantId: string },
  id: string,
): Promise<ConversationRow | undefined> {
  return ctx.db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', owner.userId)
    .where('tenant_id', '=', owner.tenantId)
    .executeTakeFirst();
}

export function listConversations(
  ctx: Ctx,
  owner: { userId: number; tenantId: string },
  page: { limit: number; offset: number },
) {
  const base = ctx.db
    .selectFrom('conversations')
    .where('user_id', '=', owner.userId)
    .where('tenant_id', '=', owner.tenantId);
  return paginate(base, page);
}

export async function deleteConversation(ctx: Ctx, id: string): Promise<void> {
  await ctx.db.deleteFrom('conversations').where('id', '=', id).execute();
}

export function listMessages(
  ctx: Ctx,
  conversationId: string,
  page: { limit: number; offset: number },
) {
  return paginate(
    ctx.db.selectFrom('messages').where('conversation_id', '=', conversationId),
    page,
    'oldest',
  );
}

/** The latest `limit` messages, oldest first (what the model sees of the history). */
export async function latestMessages(
  ctx: Ctx,
  conversationId: string,
  limit: number,
): Promise<Pick<MessageRow, 'role' | 'content'>[]> {
  const rows = await ctx.db
    .selectFrom('messages')
    .select(['role', 'content'])
    .where('conversation_id', '=', conversationId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

/** Stores a message and marks its conversation updated, in one transaction. */
export function insertMessage(ctx: Ctx, row: Insertable<MessagesTable>): Promise<MessageRow> {
  return withTransaction(ctx, async (tx) => {
    const message = await tx.db
      .insertInto('messages')
      .values(row)
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx.db
      .updateTable('conversations')
      .set({ updated_at: row.created_at })
      .where('id', '=', row.conversation_id)
      .execute();
    return message;
  });
}
