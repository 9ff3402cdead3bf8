/** `http_fetch`: GET a URL on a host the operator allows (TASKLANE_HTTP_FETCH_ALLOW_HOSTS); off otherwise. */
import { jsonSchema, tool } from 'ai';
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
      const response = await fetch(parsed, {
        redirect: 'manual',
        signal: AbortSignal.any([env.signal, AbortSignal.timeout(20_000)]),
      });
      const body = await readCapped(response, MAX_BYTES);
      return {
        status: response.status,
        content_type: response.headers.get('content-type'),
        location: response.headers.get('location'),
        body: clip(body),
      };
    },
  });
}

async function readCapped(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) break;
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}
