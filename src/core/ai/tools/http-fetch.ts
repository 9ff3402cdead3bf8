/**
 * `http_fetch`: GET a URL on a host the operator allows (TASKLANE_HTTP_FETCH_ALLOW_HOSTS);
 * off otherwise. The host must also resolve to public addresses only, and the request
 * goes to the address that was checked (net-guard), so an allowed name whose DNS answer
 * points inside the network (or changes to) reaches nothing there.
 */
import type { Readable } from 'node:stream';
import { jsonSchema, tool } from 'ai';
import { guardedFetch } from '../../shared/net-guard.ts';
import { clip, type ToolEnv } from './tool-env.ts';

const MAX_BYTES = 512 * 1024;

export function httpFetchTool(env: ToolEnv) {
  const allowed = env.ctx.config.ai.tools.httpFetchHosts;
  return tool({
    description: `Fetch a URL with HTTP GET and return its status and text. Allowed hosts: ${allowed.join(', ') || 'none (the tool is off)'}.`,
    inputSchema: jsonSchema<{ url: string }>({
      type: 'object',
      properties: { url: { type: 'string' } },
      required: ['url'],
      additionalProperties: false,
    }),
    async execute({ url }) {
      if (allowed.length === 0) throw new Error('http_fetch is disabled on this server');
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new Error(`Not a URL: ${url}`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
        throw new Error('Only http and https URLs can be fetched');
      if (!allowed.includes(parsed.hostname.toLowerCase()))
        throw new Error(`Host ${parsed.hostname} is not allowed; allowed: ${allowed.join(', ')}`);
      const response = await guardedFetch(
        parsed,
        { method: 'GET', signal: AbortSignal.any([env.signal, AbortSignal.timeout(20_000)]) },
        { allowPrivate: false, allowNetworks: [], resolve: env.ctx.runtime.resolver },
      );
      const body = await readCapped(response.body, MAX_BYTES);
      return {
        status: response.status,
        content_type: response.headers['content-type'] ?? null,
        location: response.headers.location ?? null,
        body: clip(body),
      };
    },
  });
}

async function readCapped(stream: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) break;
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
