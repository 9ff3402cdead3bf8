/**
 * Task Assistant chat: conversations and their messages. A message is answered as JSON,
 * or, with `stream: true`, as Server-Sent Events: `start`, `token`…, then `done` (or
 * `error`), each a `data:` line of JSON.
 */
import { Type } from 'typebox';
import {
  type ChatEvent,
  createConversation,
  deleteConversation,
  getConversation,
  listConversations,
  listMessages,
  sendMessage,
  sendMessageAndWait,
} from '../../core/chat/chat.service.ts';
import { ctxOf } from '../../http/context.ts';
import { disconnectSignal, openEventStream } from '../../http/event-stream.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentConversation, presentMessage } from './presenters.ts';
import {
  ConversationSchema,
  CreateConversationBody,
  ErrorSchema,
  IdParams,
  ListOf,
  MessageSchema,
  Page,
  SendMessageBody,
} from './schemas.ts';

const security = [{ bearerAuth: [] }];
const errors = { 401: ErrorSchema, 404: ErrorSchema, 422: ErrorSchema };

/** The wire form of a chat event (SSE `data:` and WebSocket messages alike). */
export function chatEventBody(event: ChatEvent): Record<string, unknown> {
  switch (event.type) {
    case 'start':
      return { type: 'start', message_id: event.messageId };
    case 'token':
      return { type: 'token', content: event.content };
    case 'done':
      return {
        type: 'done',
        message_id: event.message.id,
        tokens_used: event.message.tokens_used,
        cost: Math.round(event.message.cost_micro_usd) / 1_000_000,
      };
    case 'error':
      return { type: 'error', detail: event.message, error_code: event.code.toUpperCase() };
  }
}

export async function chatRoutes(app: SurfaceApp): Promise<void> {
  app.post(
    '/chat/conversations',
    {
      schema: {
        tags: ['Chat'],
        summary: 'Create a conversation (provider and model must be configured here)',
        security,
        body: CreateConversationBody,
        response: { 201: ConversationSchema, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const conversation = await createConversation(ctxOf(request), {
        title: b.title,
        provider: b.provider,
        model: b.model,
        systemPrompt: b.system_prompt,
        metadata: b.metadata,
      });
      const { id, title, provider, model, created_at } = presentConversation(conversation);
      return reply.code(201).send({ id, title, provider, model, created_at });
    },
  );

  app.get(
    '/chat/conversations',
    {
      schema: {
        tags: ['Chat'],
        summary: "The caller's conversations, newest first",
        security,
        querystring: Page,
        response: { 200: ListOf(ConversationSchema), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const page = await listConversations(ctxOf(request), { limit, offset });
      return { items: page.items.map(presentConversation), total: page.total, limit, offset };
    },
  );

  app.get(
    '/chat/conversations/:id',
    {
      schema: {
        tags: ['Chat'],
        summary: 'A conversation',
        security,
        params: IdParams,
        response: { 200: ConversationSchema, ...errors },
      },
    },
    async (request) =>
      presentConversation(await getConversation(ctxOf(request), request.params.id)),
  );

  app.delete(
    '/chat/conversations/:id',
    {
      schema: {
        tags: ['Chat'],
        summary: 'Delete a conversation and its messages',
        security,
        params: IdParams,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await deleteConversation(ctxOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/chat/conversations/:id/messages',
    {
      schema: {
        tags: ['Chat'],
        summary: 'The messages of a conversation, oldest first',
        security,
        params: IdParams,
        querystring: Page,
        response: { 200: ListOf(MessageSchema), ...errors },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0 } = request.query;
      const page = await listMessages(ctxOf(request), request.params.id, { limit, offset });
      return { items: page.items.map(presentMessage), total: page.total, limit, offset };
    },
  );

  app.post(
    '/chat/conversations/:id/messages',
    {
      schema: {
        tags: ['Chat'],
        summary: 'Send a message; the answer as JSON, or streamed as SSE with `stream: true`',
        security,
        params: IdParams,
        body: SendMessageBody,
        response: { 200: MessageSchema, ...errors, 402: ErrorSchema, 503: ErrorSchema },
      },
    },
    async (request, reply) => {
      const ctx = ctxOf(request);
      const b = request.body;
      const input = { message: b.message, temperature: b.temperature, maxTokens: b.max_tokens };
      if (!b.stream) return presentMessage(await sendMessageAndWait(ctx, request.params.id, input));

      const signal = disconnectSignal(reply);
      // Checks (conversation, model) happen here, before any byte is sent: errors are JSON.
      const events = await sendMessage(ctx, request.params.id, { ...input, signal });
      const stream = openEventStream(reply);
      try {
        for await (const event of events) {
          if (stream.closed) break;
          stream.send(chatEventBody(event));
        }
      } catch (error) {
        request.log.error({ err: error }, 'chat stream failed');
        stream.send({ type: 'error', detail: 'Internal error', error_code: 'INTERNAL_ERROR' });
      }
      stream.end();
    },
  );
}
