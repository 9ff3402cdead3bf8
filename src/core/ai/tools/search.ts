/**
 * `search`: web search through an operator-configured SearXNG-style JSON endpoint
 * (TASKLANE_SEARCH_URL). With none configured it tells the model so, and the run goes on.
 */
import { jsonSchema, tool } from 'ai';
import type { ToolEnv } from './tool-env.ts';

export function searchTool(env: ToolEnv) {
  const endpoint = env.ctx.config.ai.tools.searchUrl;
  return tool({
    description: 'Search the web and get the top results (title, url, snippet).',
    inputSchema: jsonSchema<{ query: string; limit?: number }>({
      type: 'object',
      properties: {
        query: { type: 'string' },
        limit: { type: 'integer', minimum: 1, maximum: 10 },
      },
      required: ['query'],
      additionalProperties: false,
    }),
    async execute({ query, limit }) {
      if (!endpoint) {
        return {
          available: false,
          message: 'Web search is not configured on this server; answer from what you know.',
          results: [],
        };
      }
      const url = new URL(endpoint);
      url.searchParams.set('q', query);
      url.searchParams.set('format', 'json');
      const response = await fetch(url, {
        signal: AbortSignal.any([env.signal, AbortSignal.timeout(15_000)]),
      });
      if (!response.ok) throw new Error(`search endpoint answered ${response.status}`);
      const data = (await response.json()) as {
        results?: { title?: string; url?: string; content?: string }[];
      };
      return {
        available: true,
        results: (data.results ?? []).slice(0, limit ?? 5).map((r) => ({
          title: r.title ?? '',
          url: r.url ?? '',
          snippet: (r.content ?? '').slice(0, 500),
        })),
      };
    },
  });
}
