/**
 * Server-Sent Events on a Fastify reply: the headers every streaming endpoint sends,
 * `data: <json>` frames, and a signal that aborts when the client goes away (the
 * response's close: the request's own 'close' fires as soon as its body has been read).
 */
import type { FastifyReply } from 'fastify';

export interface EventStream {
  readonly closed: boolean;
  send(body: unknown): void;
  end(): void;
}

/** Aborts when the client disconnects before the reply has finished (start the work with it before opening the stream). */
export function disconnectSignal(reply: FastifyReply): AbortSignal {
  const abort = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort('client disconnected');
  });
  return abort.signal;
}

/** Takes the reply over and opens the stream (status 200, headers already set kept). */
export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  return {
    get closed() {
      return raw.destroyed;
    },
    send(body) {
      if (!raw.destroyed) raw.write(`data: ${JSON.stringify(body)}\n\n`);
    },
    end() {
      if (!raw.destroyed) raw.end();
    },
  };
}
