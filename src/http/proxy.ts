/**
 * Forwards a request to an HTTP server reached through a given socket (a user's
 * environment) and streams the answer back. The caller's credentials (Authorization,
 * API keys, the session cookie) never reach the upstream program; hop-by-hop headers
 * are dropped both ways.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

export function proxyThrough(
  request: FastifyRequest,
  reply: FastifyReply,
  socket: Socket,
  options: { path: string; hideCookie: string; responseHeaders?: Record<string, string> },
): Promise<void> {
  const headers: http.OutgoingHttpHeaders = { ...request.headers };
  for (const name of [...HOP_BY_HOP, 'authorization', 'x-api-key', 'x-user-id', 'host'])
    delete headers[name];
  headers.host = 'environment';
  headers['x-forwarded-proto'] = request.protocol;
  const cookies = (request.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith(`${options.hideCookie}=`));
  if (cookies.length > 0) headers.cookie = cookies.join('; ');
  else delete headers.cookie;
  return new Promise((resolve, reject) => {
    const upstream = http.request(
      { method: request.method, path: options.path, headers, createConnection: () => socket },
      (response) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined && !HOP_BY_HOP.includes(name)) out[name] = value;
        }
        reply
          .code(response.statusCode ?? 502)
          .headers({ ...out, ...options.responseHeaders })
          .send(response);
        resolve();
      },
    );
    upstream.on('error', reject);
    const body = request.body as Readable | undefined;
    if (body && typeof body.pipe === 'function') body.pipe(upstream);
    else upstream.end();
  });
}

/**
 * Hands an upgrade request (a WebSocket) to the upstream as is and then splices the two
 * connections: whatever protocol they agree on passes through untouched. The same
 * credential headers are withheld as for plain requests.
 */
export function spliceUpgrade(
  request: FastifyRequest,
  reply: FastifyReply,
  upstream: Socket,
  options: { path: string; hideCookie: string },
): void {
  reply.hijack();
  const client = request.raw.socket;
  const lines = [`${request.method} ${options.path} HTTP/1.1`, 'host: environment'];
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    if (['host', 'authorization', 'x-api-key', 'x-user-id'].includes(name)) continue;
    if (name === 'cookie') {
      const kept = String(value)
        .split(';')
        .map((c) => c.trim())
        .filter((c) => c && !c.startsWith(`${options.hideCookie}=`));
      if (kept.length > 0) lines.push(`cookie: ${kept.join('; ')}`);
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${one}`);
  }
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  const end = () => {
    upstream.destroy();
    client.destroy();
  };
  upstream.on('error', end).on('close', end);
  client.on('error', end).on('close', end);
  upstream.pipe(client);
  client.pipe(upstream);
}
