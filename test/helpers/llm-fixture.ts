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
  /** Set by structured-output calls: the JSON schema the answer must fit. */
  response_format?: { type: string; json_schema?: { schema: JsonSchema } };
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
  /**
   * A script for the next runs, in place of the cooperative default: given the tool
   * results of the conversation so far, the tool calls of the next step, or undefined
   * to answer in text (which quotes every tool result, so a test can read them).
   */
  script: ScriptFn | undefined;
  /** Milliseconds to wait before answering a request (0: at once), e.g. to catch a job mid-call. */
  delayFor: ((request: FixtureRequest) => number) | undefined;
  /** Requests for which this returns true are answered 400 (a provider error, not retried). */
  failWhen: ((request: FixtureRequest) => boolean) | undefined;
  close(): Promise<void>;
}

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown>;
}
export type ScriptFn = (toolResults: string[]) => ScriptedToolCall[] | undefined;

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

export interface LlmFixtureOptions {
  /** Arguments the scripted model passes to a tool, replacing the defaults above. */
  toolInputs?: Record<string, Record<string, unknown>>;
}

export async function startLlmFixture(options: LlmFixtureOptions = {}): Promise<LlmFixture> {
  const toolInputs = { ...TOOL_INPUTS, ...options.toolInputs };
  const requests: FixtureRequest[] = [];
  const fixture = {
    script: undefined as ScriptFn | undefined,
    failWhen: undefined as ((request: FixtureRequest) => boolean) | undefined,
    delayFor: undefined as ((request: FixtureRequest) => number) | undefined,
  };
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
    const delay = fixture.delayFor?.(body) ?? 0;
    if (delay > 0) {
      // Waits, unless the client goes away first (an aborted call).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed) return;
    }
    if (fixture.failWhen?.(body)) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: 'fixture: refused on purpose', type: 'invalid_request_error' },
        }),
      );
      return;
    }
    const reply = fixture.script
      ? scripted(body, fixture.script)
      : body.response_format?.type === 'json_schema'
        ? { text: JSON.stringify(sampleOf(body.response_format.json_schema?.schema ?? {})) }
        : answer(body, toolInputs);
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
    get script() {
      return fixture.script;
    },
    set script(value: ScriptFn | undefined) {
      fixture.script = value;
    },
    get delayFor() {
      return fixture.delayFor;
    },
    set delayFor(value: ((request: FixtureRequest) => number) | undefined) {
      fixture.delayFor = value;
    },
    get failWhen() {
      return fixture.failWhen;
    },
    set failWhen(value: ((request: FixtureRequest) => boolean) | undefined) {
      fixture.failWhen = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function scripted(body: FixtureRequest, script: ScriptFn): ReturnType<typeof answer> {
  const results = body.messages
    .filter((m) => m.role === 'tool')
    .map((m) => JSON.stringify(m.content));
  const calls = script(results);
  if (!calls) return { text: `Finished. Tool results: ${results.join(' || ')}` };
  const step = body.messages.filter((m) => m.role === 'assistant').length;
  return {
    toolCalls: calls.map((call, i) => ({
      id: `call_${step}_${i}`,
      type: 'function' as const,
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    })),
  };
}

function answer(
  body: FixtureRequest,
  toolInputs: Record<string, Record<string, unknown>>,
): {
  text?: string;
  toolCalls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
} {
  const toolResults = body.messages.filter((m) => m.role === 'tool');
  const offered = (body.tools ?? []).map((t) => t.function.name);
  const usable = offered.filter((name) => name in toolInputs);
  if (toolResults.length === 0 && usable.length > 0) {
    return {
      toolCalls: usable.map((name, i) => ({
        id: `call_${i}`,
        type: 'function' as const,
        function: { name, arguments: JSON.stringify(toolInputs[name]) },
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

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

/**
 * Structured-output mode: an answer that fits the requested JSON schema, as a model
 * with constrained decoding gives (the first enum value; three items per array).
 */
function sampleOf(schema: JsonSchema, name = 'value'): unknown {
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, s]) => [key, sampleOf(s, key)]),
      );
    case 'array':
      return [1, 2, 3].map((n) => sampleOf(schema.items ?? {}, `${name} ${n}`));
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    default:
      return `Sample ${name}?`;
  }
}
