/**
 * Task Assistant's WebSocket, /api/v1/ws. The first message must be
 * `{type: "auth", token}` (an access token or API key); a socket that has not
 * authenticated within TASKLANE_WS_AUTH_TIMEOUT_MS is closed. After that:
 * - `{type: "chat", conversation_id, message}` streams `start`, `token`…, `done` (as SSE);
 * - `{type: "agent_execute", agent_id, input}` streams `agent_started`, `agent_step`…,
 *   `agent_result`;
 * - task and agent events of the user's tenant are pushed as `{type: "event", event, data}`;
 * - `{type: "ping"}` answers `{type: "pong"}`.
 * Bad JSON (or JSON nested past TASKLANE_JSON_MAX_DEPTH) or an unknown type gets
 * `{type: "error", …}` and the socket stays open. Error codes are the HTTP surface's
 * (`UNAUTHORIZED`, `NOT_FOUND`, `VALIDATION_ERROR`…).
 * Messages sent right behind the auth message wait for its outcome. Once the credential
 * stops being valid (logout, expiry, a regenerated API key: see ws-session.ts) the
 * socket gets an UNAUTHORIZED error and is closed with SESSION_ENDED (4401).
 */
import { executeAgent } from '../../core/agents/agent-runs.service.ts';
import { getAgent } from '../../core/agents/agents.service.ts';
import { sendMessage } from '../../core/chat/chat.service.ts';
import { type Ctx, createContext, type UserActor } from '../../core/context.ts';
import { invalid } from '../../core/errors.ts';
import type { StoredEvent } from '../../core/events/events.types.ts';
import { authenticateBearer } from '../../http/auth.ts';
import { normaliseError } from '../../http/errors.ts';
import { eventBytes, TEXT_FRAME } from '../../http/event-bytes.ts';
import { jsonTooDeep, tooDeepMessage } from '../../http/json-body.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { holdSession, SESSION_ENDED, type WsSession } from '../../http/ws-session.ts';
import { chatEventBody } from './chat.routes.ts';
import { renderTaskAssistantError } from './errors.ts';
import { API_LIMITS } from './limits.ts';
import { presentRun } from './presenters.ts';

export async function wsRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/ws',
    { websocket: true, config: { auth: 'none', rateLimits: [] }, schema: { hide: true } },
    (socket, request) => {
      const runtime = request.server.runtime;
      const log = request.log;
      const maxDepth = runtime.config.http.jsonMaxDepth;
      let session: WsSession | undefined;
      let authenticating: Promise<UserActor> | undefined;
      let unsubscribe: (() => void) | undefined;
      const controllers = new Set<AbortController>();
      const send = (body: Record<string, unknown>) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(body));
      };
      const fail = (detail: string, errorCode: string, extra: Record<string, unknown> = {}) =>
        send({ type: 'error', detail, error_code: errorCode, ...extra });
      const timer = setTimeout(() => {
        if (!session) {
          fail('Authentication timed out', 'AUTH_TIMEOUT');
          socket.close(4001, 'authentication timeout');
        }
      }, runtime.config.wsAuthTimeoutMs);

      socket.on('close', () => {
        clearTimeout(timer);
        session?.stop();
        unsubscribe?.();
        for (const c of controllers) c.abort('socket closed');
      });

      socket.on('message', async (data: Buffer, isBinary: boolean) => {
        let message: Record<string, unknown>;
        const text = isBinary ? '' : data.toString('utf8');
        // Nesting past the limit would overflow the stack of whatever walks the message.
        if (jsonTooDeep(text, maxDepth)) return fail(tooDeepMessage(maxDepth), 'INVALID_MESSAGE');
        try {
          const parsed = JSON.parse(text);
          if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
          message = parsed;
        } catch {
          return fail('Messages must be JSON objects', 'INVALID_MESSAGE');
        }
        const type = message.type;
        try {
          if (type === 'auth') {
            if (session || authenticating)
              return fail('Already authenticated', 'ALREADY_AUTHENTICATED');
            // The same path as `Authorization: Bearer <token>` on the HTTP routes.
            authenticating = authenticateBearer(runtime, request, message.token);
            const actor = await authenticating;
            clearTimeout(timer);
            if (socket.readyState !== socket.OPEN) return; // gone while authenticating
            const live = holdSession(
              runtime,
              request,
              message.token as string,
              actor,
              (error, extra) => {
                unsubscribe?.();
                fail(error.message, 'UNAUTHORIZED', extra);
                socket.close(SESSION_ENDED, 'session ended');
              },
            );
            session = live;
            unsubscribe = runtime.events.subscribe(
              { tenantId: actor.tenantId, types: ['task.', 'agent.'] },
              (event) => {
                if (live.live() && socket.readyState === socket.OPEN)
                  socket.send(eventBytes(event, eventMessage), TEXT_FRAME);
              },
            );
            return send({
              type: 'auth_success',
              user_id: actor.userUuid,
              tenant_id: actor.tenantId,
            });
          }
          if (type === 'ping') {
            if (session && !session.live()) return; // expired: the session said so and closed
            return send({ type: 'pong' });
          }
          if (type !== 'chat' && type !== 'agent_execute')
            return fail(`Unknown message type: ${String(type)}`, 'UNKNOWN_TYPE');
          // A message pipelined behind the auth message is handled once auth is settled.
          if (!session && authenticating) await authenticating.catch(() => {});
          if (!session)
            return fail('Authenticate first: {"type": "auth", "token": …}', 'UNAUTHORIZED', {
              request_type: type,
            });
          // Re-checked per run: a revoked credential is refused now, not at the next tick.
          // (When it no longer holds, the session has already said so and closed the socket.)
          const actor = await session.current({ request_type: type });
          // The HTTP routes' rate limits count each run or chat message too.
          await request.server.rateLimiter?.consume(actor, request.ip, API_LIMITS);
          const ctx = createContext(runtime, actor, log);
          // Closing the socket cancels what it started (sandbox killed, credits settled).
          const controller = new AbortController();
          controllers.add(controller);
          try {
            if (type === 'chat') await chat(ctx, message, send, controller.signal);
            else await agentExecute(ctx, message, send, controller.signal);
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
  signal: AbortSignal,
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
      signal,
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

/** A task or agent event as Task Assistant's sockets push it. */
function eventMessage(event: StoredEvent) {
  return {
    type: 'event',
    event: event.type,
    data: event.payload,
    timestamp: new Date(event.createdAt).toISOString(),
  };
}
