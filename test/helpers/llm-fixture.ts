/**
 * A small OpenAI-compatible chat-completions server, so tests exercise the real AI SDK
 * client over real HTTP (the one thing we mock is the LLM itself). Scripted like a
 * cooperative model: with tools offered and no tool result yet, it calls the first tool
 * it knows how to use; once a tool has answered, or with no tools, it answers in text.
 * Streams (SSE) when asked, with usage in the last chunk.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FixtureRequest {
  model: string;
  messages: { role: string; content: unknown; tool_calls?: unknown[] }[];
  tools?: { function: { name: string } }[];
  stream?: boolean;
  authorization?: string;
}

export interface LlmFixture {
  url: string;
  /** The base URL to configure (…/v1). */
  baseUrl: string;
  requests: FixtureRequest[];
  close(): Promise<void>;
}

const TOOL_INPUTS: Record<string, Record<string, unknown>> = {
  code_executor: {
    language: 'python',
    code: 'import json\nprint(6 * 7)\nopen("out/answer.json", "w").write(json.dumps({"answer": 42}))',
  },
  calculator: { expression: '6 * 7' },
  file_writer: { path: 'out/notes.txt', content: 'written by the agent\n' },
  browser_screenshot: { url: 'data:text/html,<h1>Tasklane</h1>' },
  search: { query: 'tasklane' },
};

export async function startLlmFixture(): Promise<LlmFixture> {
  const requests: FixtureRequest[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FixtureRequest;
    body.authorization = req.headers.authorization;
    requests.push(body);
    const reply = answer(body);
    const usage = {
      prompt_tokens: Math.ceil(JSON.stringify(body.messages).length / 4),
      completion_tokens: reply.text ? reply.text.split(/\s+/).length : 12,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-${requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: reply.text ?? null,
                tool_calls: reply.toolCalls,
              },
              finish_reason: reply.toolCalls ? 'tool_calls' : 'stop',
            },
          ],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: unknown, finish: string | null = null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    send(chunk({ role: 'assistant', content: '' }));
    for (const word of (reply.text ?? '').split(/(?<= )/)) {
      if (word) send(chunk({ content: word }));
      await new Promise((r) => setTimeout(r, 2));
    }
    if (reply.toolCalls) {
      send(chunk({ tool_calls: reply.toolCalls.map((c, index) => ({ index, ...c })) }));
    }
    send(chunk({}, reply.toolCalls ? 'tool_calls' : 'stop'));
    send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage });
    res.write('data: [DONE]\n\n');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(body: FixtureRequest): {
  text?: string;
  toolCalls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
} {
  const toolResults = body.messages.filter((m) => m.role === 'tool');
  const offered = (body.tools ?? []).map((t) => t.function.name);
  const usable = offered.filter((name) => name in TOOL_INPUTS);
  if (toolResults.length === 0 && usable.length > 0) {
    return {
      toolCalls: usable.map((name, i) => ({
        id: `call_${i}`,
        type: 'function' as const,
        function: { name, arguments: JSON.stringify(TOOL_INPUTS[name]) },
      })),
    };
  }
  if (toolResults.length > 0) {
    const outputs = toolResults.map((m) => String(m.content)).join(' ');
    const found = outputs.match(/42/) ? '42' : 'nothing';
    return { text: `Done. The tools reported ${found}.` };
  }
  const last = [...body.messages].reverse().find((m) => m.role === 'user');
  const text =
    typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
  return { text: `You said: ${text}` };
}
