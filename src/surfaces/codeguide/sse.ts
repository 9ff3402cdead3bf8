/**
 * Server-Sent Events for the generation endpoints (beyond the spec: sent when the
 * client asks with `Accept: text/event-stream`). The events are the core's completion
 * events, as Task Assistant's chat streams them: `start`, `token`…, then `done` with
 * the endpoint's JSON answer (or `error` with a `detail`), each a `data:` line of JSON.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CompletionEvent } from '../../core/ai/stream.ts';
import { openEventStream } from '../../http/event-stream.ts';

export function wantsEventStream(request: FastifyRequest): boolean {
  return /\btext\/event-stream\b/i.test(String(request.headers.accept ?? ''));
}

/** Streams the events; `answer` turns the finished text into the endpoint's JSON body. */
export async function sendEventStream(
  request: FastifyRequest,
  reply: FastifyReply,
  events: AsyncGenerator<CompletionEvent>,
  answer: (text: string) => Record<string, unknown>,
): Promise<void> {
  const stream = openEventStream(reply);
  try {
    for await (const event of events) {
      if (stream.closed) break;
      if (event.type === 'start') stream.send({ type: 'start', model: event.model });
      else if (event.type === 'token') stream.send({ type: 'token', content: event.text });
      else if (event.type === 'done')
        stream.send({
          type: 'done',
          ...answer(event.text),
          tokens_used: event.usage.totalTokens,
          cost: Math.round(event.costMicroUsd) / 1_000_000,
        });
      else stream.send({ type: 'error', detail: event.message });
    }
  } catch (error) {
    request.log.error({ err: error }, 'generation stream failed');
    stream.send({ type: 'error', detail: 'Internal server error' });
  }
  stream.end();
}
