/**
 * Conversations: a title, a provider and model, a system prompt, metadata, and the
 * messages. A conversation is its creator's (tenant-mates do not see it). Sending a
 * message stores it, sends the history to the model through the streaming primitive,
 * and stores the answer with its tokens and cost.
 */

import type { ModelMessage } from 'ai';
import { type CompletionEvent, streamCompletion } from '../ai/stream.ts';
import type { Ctx } from '../context.ts';
import { DomainError, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import * as repo from './chat.repo.ts';

export type Conversation = repo.ConversationRow & {
  metadataObject: Record<string, unknown>;
};
export type Message = repo.MessageRow;

/** How many of the conversation's latest messages (the new one included) the model sees. */
const HISTORY_LIMIT = 100;
const MAX_JSON = 64 * 1024;

export interface NewConversation {
  title?: string | null;
  provider?: string | null;
  model?: string | null;
  systemPrompt?: string | null;
  metadata?: Record<string, unknown>;
}

export async function createConversation(ctx: Ctx, input: NewConversation): Promise<Conversation> {
  const actor = requireUser(ctx);
  const resolved = ctx.runtime.ai.resolve({ provider: input.provider, model: input.model });
  const metadata = JSON.stringify(input.metadata ?? {});
  if (metadata.length > MAX_JSON) throw new DomainError('validation', 'metadata is too large');
  const now = ctx.clock.now();
  const row = await repo.insertConversation(ctx, {
    id: uuidv7(now),
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    title: input.title ?? null,
    provider: resolved.provider,
    model: resolved.requested,
    system_prompt: input.systemPrompt ?? null,
    metadata,
    created_at: now,
    updated_at: now,
  });
  return withMetadata(row);
}

export async function getConversation(ctx: Ctx, id: string): Promise<Conversation> {
  const actor = requireUser(ctx);
  if (!isUuid(id)) throw notFound('Conversation');
  const row = await repo.findConversation(ctx, actor, id);
  if (!row) throw notFound('Conversation');
  return withMetadata(row);
}

export async function listConversations(
  ctx: Ctx,
  page: { limit: number; offset: number },
): Promise<{ items: Conversation[]; total: number }> {
  const actor = requireUser(ctx);
  const { rows, total } = await repo.listConversations(ctx, actor, page);
  return { items: rows.map(withMetadata), total };
}

export async function deleteConversation(ctx: Ctx, id: string): Promise<void> {
  const conversation = await getConversation(ctx, id);
  await repo.deleteConversation(ctx, conversation.id);
}

export async function listMessages(
  ctx: Ctx,
  id: string,
  page: { limit: number; offset: number },
): Promise<{ items: Message[]; total: number }> {
  const conversation = await getConversation(ctx, id);
  const { rows, total } = await repo.listMessages(ctx, conversation.id, page);
  return { items: rows, total };
}

export interface SendMessage {
  message: string;
  temperature?: number | null;
  maxTokens?: number | null;
  signal?: AbortSignal;
}

export type ChatEvent =
  | { type: 'start'; messageId: string; seq: number }
  | { type: 'token'; content: string; seq: number }
  | { type: 'done'; message: Message; seq: number }
  | { type: 'error'; message: string; code: string; seq: number };

/**
 * Sends a message and streams the answer. The conversation and the model are checked
 * before anything is stored (a bad id throws); after that every outcome is an event.
 */
export async function sendMessage(
  ctx: Ctx,
  conversationId: string,
  input: SendMessage,
): Promise<AsyncGenerator<ChatEvent>> {
  const actor = requireUser(ctx);
  const conversation = await getConversation(ctx, conversationId);
  // A model the operator has since removed is refused before anything is stored.
  ctx.runtime.ai.resolve({ provider: conversation.provider, model: conversation.model });
  const history = await repo.latestMessages(ctx, conversation.id, HISTORY_LIMIT - 1);
  const now = ctx.clock.now();
  await insertMessage(ctx, conversation, 'user', input.message, 0, 0, uuidv7(now));
  const messages: ModelMessage[] = [
    ...history.map((m) => ({ role: m.role, content: m.content }) as ModelMessage),
    { role: 'user', content: input.message },
  ];
  const events = streamCompletion(ctx, {
    owner: { userId: actor.userId, tenantId: actor.tenantId },
    provider: conversation.provider,
    model: conversation.model,
    instructions: conversation.system_prompt,
    messages,
    temperature: input.temperature,
    maxOutputTokens: input.maxTokens,
    signal: input.signal,
    refs: { conversationId: conversation.id },
  });
  return relay(ctx, conversation, events);
}

async function* relay(
  ctx: Ctx,
  conversation: Conversation,
  events: AsyncGenerator<CompletionEvent>,
): AsyncGenerator<ChatEvent> {
  const messageId = uuidv7(ctx.clock.now());
  for await (const event of events) {
    if (event.type === 'start') yield { type: 'start', messageId, seq: event.seq };
    else if (event.type === 'token') yield { type: 'token', content: event.text, seq: event.seq };
    else if (event.type === 'error')
      yield { type: 'error', message: event.message, code: event.code, seq: event.seq };
    else {
      const message = await insertMessage(
        ctx,
        conversation,
        'assistant',
        event.text,
        event.usage.totalTokens,
        event.costMicroUsd,
        messageId,
      );
      yield { type: 'done', message, seq: event.seq };
    }
  }
}

/** Sends a message and waits for the whole answer (non-streaming chat). */
export async function sendMessageAndWait(
  ctx: Ctx,
  conversationId: string,
  input: SendMessage,
): Promise<Message> {
  let last: ChatEvent | undefined;
  for await (const event of await sendMessage(ctx, conversationId, input)) last = event;
  if (last?.type === 'done') return last.message;
  const code =
    last?.type === 'error' && last.code === 'insufficient_credits'
      ? 'insufficient_credits'
      : 'unavailable';
  throw new DomainError(code, last?.type === 'error' ? last.message : 'The model returned nothing');
}

function insertMessage(
  ctx: Ctx,
  conversation: Conversation,
  role: 'user' | 'assistant',
  content: string,
  tokens: number,
  cost: number,
  id: string,
): Promise<Message> {
  return repo.insertMessage(ctx, {
    id,
    conversation_id: conversation.id,
    tenant_id: conversation.tenant_id,
    role,
    content,
    tokens_used: tokens,
    cost_micro_usd: cost,
    created_at: ctx.clock.now(),
  });
}

function withMetadata(row: repo.ConversationRow): Conversation {
  return { ...row, metadataObject: JSON.parse(row.metadata) as Record<string, unknown> };
}
