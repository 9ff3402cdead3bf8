/**
 * Task Assistant's WebSocket, /api/v1/ws. The first message must be
 * `{type: "auth", token}` (an access token or API key); a socket that has not
 * authenticated within TASKLANE_WS_AUTH_TIMEOUT_MS is closed. After that:
 * - `{type: "chat", conversation_id, message}` streams `start`, `token`…, `done` (as SSE);
 * - `{type: "agent_execute", agent_id, input}` streams `agent_started`, `agent_step`…,
 *   `agent_result`;
 * - task and agent events of the user's tenant are pushed as `{type: "event", event, data}`;
 * - `{type: "ping"}` answers `{type: "pong"}`.
 * Bad JSON or an unknown type gets `{type: "error", …}` and the socket stays open. Error
 * codes are the HTTP surface's (`UNAUTHORIZED`, `NOT_FOUND`, `VALIDATION_ERROR`…).
 * Messages sent right behind the auth message wait for its outcome.
 */
import websocket from '@fastify/websocket';
import { executeAgent } from '../../core/agents/agent-runs.service.ts';
import { getAgent } from '../../core/agents/agents.service.ts';
import { sendMessage } from '../../core/chat/chat.service.ts';
import { type Ctx, createContext, systemActor, type UserActor } from '../../core/context.ts';
import { invalid, unauthenticated } from '../../core/errors.ts';
import { looksLikeApiKey } from '../../core/identity/api-keys.ts';
import { authenticateAccessToken, authenticateApiKey } from '../../core/identity/auth.service.ts';
import { normaliseError } from '../../http/errors.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { chatEventBody } from './chat.routes.ts';
import { renderTaskAssistantError } from './errors.ts';
import { presentRun } from './presenters.ts';

const MAX_MESSAGE = 256 * 1024;

export async function wsRoutes(app: SurfaceApp): Promise<void> {
  await app.register(websocket, { options: { maxPayload: MAX_MESSAGE } });
  app.get(
    '/ws',
    { websocket: true, config: { auth: 'none', rateLimits: [] }, schema: { hide: true } },
    (socket, request) => {
      const runtime = request.server.runtime;
      const log = request.log;
      let actor: UserActor | undefined;
      let authenticating: Promise<UserActor> | undefined;
      let unsubscribe: (() => void) | undefined;
      const controllers = new Set<AbortController>();
      const send = (body: Record<string, unknown>) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(body));
      };
      const fail = (detail: string, errorCode: string, extra: Record<string, unknown> = {}) =>
        send({ type: 'error', detail, error_code: errorCode, ...extra });
      const timer = setTimeout(() => {
        if (!actor) {
          fail('Authentication timed out', 'AUTH_TIMEOUT');
          socket.close(4001, 'authentication timeout');
        }
      }, runtime.config.wsAuthTimeoutMs);

      socket.on('close', () => {
        clearTimeout(timer);
        unsubscribe?.();
        for (const c of controllers) c.abort('socket closed');
      });

      socket.on('message', async (data: Buffer, isBinary: boolean) => {
        let message: Record<string, unknown>;
        try {
          const parsed = JSON.parse(isBinary ? '' : data.toString('utf8'));
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
          message = parsed;
        } catch {
          return fail('Messages must be JSON objects', 'INVALID_MESSAGE');
        }
        const type = message.type;
        try {
          if (type === 'auth') {
            if (actor || authenticating)
              return fail('Already authenticated', 'ALREADY_AUTHENTICATED');
            authenticating = authenticate(createContext(runtime, systemActor, log), message.token);
            actor = await authenticating;
            clearTimeout(timer);
            unsubscribe = runtime.events.subscribe(
              { tenantId: actor.tenantId, types: ['task.', 'agent.'] },
              (event) =>
                send({
                  type: 'event',
                  event: event.type,
                  data: event.payload,
                  timestamp: new Date(event.createdAt).toISOString(),
                }),
            );
            return send({
              type: 'auth_success',
              user_id: actor.userUuid,
              tenant_id: actor.tenantId,
            });
          }
          if (type === 'ping') return send({ type: 'pong' });
          if (type !== 'chat' && type !== 'agent_execute')
            return fail(`Unknown message type: ${String(type)}`, 'UNKNOWN_TYPE');
          // A message pipelined behind the auth message is handled once auth is settled.
          if (!actor && authenticating) await authenticating.catch(() => {});
          if (!actor)
            return fail('Authenticate first: {"type": "auth", "token": …}', 'UNAUTHORIZED', {
              request_type: type,
            });
          const ctx = createContext(runtime, actor, log);
          const controller = new AbortController();
          controllers.add(controller);
          try {
            if (type === 'chat') await chat(ctx, message, send, controller.signal);
            else await agentExecute(ctx, message, send);
          } finally {
            controllers.delete(controller);
          }
        } catch (error) {
          const domain = normaliseError(error);
          if (domain.code === 'internal') log.error({ err: error }, 'websocket message failed');
          // The HTTP surface's error codes, so a client handles both alike.
          const { error_code } = renderTaskAssistantError(domain, request).body as {
            error_code: string;
          };
          fail(domain.code === 'internal' ? 'Internal error' : domain.message, error_code, {
            request_type: type,
          });
          if (type === 'auth') socket.close(4003, 'authentication failed');
        }
      });
    },
  );
}

async function authenticate(ctx: Ctx, token: unknown): Promise<UserActor> {
  if (typeof token !== 'string' || token === '') throw unauthenticated('token is required');
  return looksLikeApiKey(token)
    ? authenticateApiKey(ctx, token)
    : authenticateAccessToken(ctx, token);
}

function text(message: Record<string, unknown>, field: string): string {
  const value = message[field];
  if (typeof value !== 'string' || value === '') throw fieldError(field);
  return value;
}

function fieldError(field: string) {
  return invalid(field, `${field} is required (a non-empty string)`, 'missing');
}

async function chat(
  ctx: Ctx,
  message: Record<string, unknown>,
  send: (body: Record<string, unknown>) => void,
  signal: AbortSignal,
): Promise<void> {
  const conversationId = text(message, 'conversation_id');
  const events = await sendMessage(ctx, conversationId, {
    message: text(message, 'message'),
    temperature: typeof message.temperature === 'number' ? message.temperature : undefined,
    maxTokens: typeof message.max_tokens === 'number' ? message.max_tokens : undefined,
    signal,
  });
  for await (const event of events)
    send({ ...chatEventBody(event), conversation_id: conversationId });
}

async function agentExecute(
  ctx: Ctx,
  message: Record<string, unknown>,
  send: (body: Record<string, unknown>) => void,
): Promise<void> {
  const agentId = text(message, 'agent_id');
  const input = text(message, 'input');
  // An unknown agent (or another tenant's) is refused before anything is announced.
  await getAgent(ctx, agentId);
  send({ type: 'agent_started', agent_id: agentId });
  const run = await executeAgent(
    ctx,
    agentId,
    { input },
    {
      onStep: (step) =>
        send({
          type: 'agent_step',
          agent_id: agentId,
          step: step.number,
          tools: step.tools,
          tokens_used: step.totalTokens,
          cost: step.costMicroUsd / 1e6,
        }),
    },
  );
  send({ type: 'agent_result', ...presentRun(run) });
}
