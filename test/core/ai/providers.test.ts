/**
 * Providers over real HTTP (an OpenAI-compatible fixture), aliases, the operator's
 * catalog, the streaming primitive, and the credit ledger under concurrency.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { runAgent } from '../../../src/core/ai/agent/run-agent.ts';
import { type CompletionEvent, complete, streamCompletion } from '../../../src/core/ai/stream.ts';
import { evaluate } from '../../../src/core/ai/tools/arithmetic.ts';
import { DomainError } from '../../../src/core/errors.ts';
import {
  getBalance,
  reserveCredits,
  usageSummary,
} from '../../../src/core/metering/metering.service.ts';
import { utcDay } from '../../../src/core/shared/clock.ts';
import { newActor } from '../../helpers/actors.ts';
import { makeTempDir } from '../../helpers/db.ts';
import { type LlmFixture, startLlmFixture } from '../../helpers/llm-fixture.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';
import { readWorkspaceFile, sandboxOf } from '../../helpers/sandbox.ts';

let fixture: LlmFixture;
let t: TestRuntime;
before(async () => {
  fixture = await startLlmFixture();
  const dir = makeTempDir();
  const catalog = path.join(dir, 'catalog.json');
  fs.writeFileSync(
    catalog,
    JSON.stringify({
      models: [
        {
          key: 'openai/llama3.1:8b',
          provider: 'openai',
          name: 'llama3.1:8b',
          capabilities: ['chat'],
          context_window: 8192,
          pricing: {
            input_per_1m: 0.2,
            cached_input_per_1m: 0.1,
            output_per_1m: 0.6,
            per_second: 0,
          },
        },
      ],
    }),
  );
  t = await startRuntime({
    env: {
      TASKLANE_PROVIDER_OPENAI_BASE_URL: fixture.baseUrl,
      TASKLANE_PROVIDER_OPENAI_API_KEY: 'sk-fixture-key',
      TASKLANE_PROVIDER_OPENAI_MODEL: 'llama3.1:8b',
      TASKLANE_MODEL_ALIASES: 'gpt-4=llama3.1:8b',
      TASKLANE_MODEL_CATALOG: catalog,
      TASKLANE_CREDITS_PRO: '1',
    },
  });
});
after(async () => {
  await t.close();
  await fixture.close();
});

test("a spec example's openai + gpt-4 runs unchanged on a local model, over chat completions", async () => {
  const resolved = t.runtime.ai.resolve({ provider: 'openai', model: 'gpt-4' });
  assert.equal(resolved.modelId, 'llama3.1:8b');
  assert.equal(resolved.modelKey, 'openai/llama3.1:8b');
  const { actor, ctx } = await newActor(t);
  const owner = { userId: actor.userId, tenantId: actor.tenantId };
  const events: CompletionEvent[] = [];
  for await (const event of streamCompletion(ctx, {
    owner,
    provider: 'openai',
    model: 'gpt-4',
    instructions: 'Be brief.',
    messages: [{ role: 'user', content: 'hello there' }],
    refs: { conversationId: '01900000-0000-7000-8000-000000000001' },
  })) {
    events.push(event);
  }
  const request = fixture.requests.at(-1)!;
  assert.equal(request.model, 'llama3.1:8b');
  assert.equal(request.stream, true);
  assert.equal(request.authorization, 'Bearer sk-fixture-key');
  assert.deepEqual(request.messages[0], { role: 'system', content: 'Be brief.' });

  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  assert.equal(events[0]!.type, 'start');
  const tokens = events.filter((e) => e.type === 'token').map((e) => (e as { text: string }).text);
  assert.ok(tokens.length >= 3, 'streamed in several tokens');
  assert.equal(tokens.join(''), 'You said: hello there');
  const done = events.at(-1)!;
  assert.equal(done.type, 'done');
  if (done.type !== 'done') return;
  const promptTokens = Math.ceil(JSON.stringify(request.messages).length / 4);
  assert.deepEqual(done.usage, {
    inputTokens: promptTokens,
    outputTokens: 4,
    totalTokens: promptTokens + 4,
  });
  assert.equal(done.costMicroUsd, Math.round(promptTokens * 0.2 + 4 * 0.6));

  const row = await t.runtime.database.db
    .selectFrom('usage_records')
    .selectAll()
    .where('conversation_id', '=', '01900000-0000-7000-8000-000000000001')
    .executeTakeFirstOrThrow();
  assert.equal(row.model_key, 'openai/llama3.1:8b');
  assert.equal(row.cost_micro_usd, done.costMicroUsd);

  const collected = await complete(ctx, { owner, messages: [{ role: 'user', content: 'again' }] });
  assert.equal(collected.text, 'You said: again');
});

test('an unconfigured provider or model is a validation error that lists what is available', () => {
  assert.throws(
    () => t.runtime.ai.resolve({ provider: 'anthropic', model: 'claude' }),
    (e: unknown) =>
      e instanceof DomainError &&
      e.code === 'validation' &&
      /available: openai/.test(e.message) &&
      (e.details?.available_providers as string[] | undefined)?.includes('openai') === true,
  );
  assert.throws(
    () => t.runtime.ai.resolve({ provider: 'openai', model: 'mistral' }),
    (e: unknown) =>
      e instanceof DomainError &&
      /"mistral" is not available .*llama3\.1:8b.*gpt-4/.test(e.message),
  );
});

test('provider settings are checked at start-up', () => {
  assert.throws(
    () => loadConfig({ TASKLANE_PROVIDER_OLLAMA_API_KEY: 'x' }),
    /TASKLANE_PROVIDER_OLLAMA_BASE_URL/,
  );
  assert.throws(() => loadConfig({ TASKLANE_MODEL_ALIASES: 'gpt-4' }), /TASKLANE_MODEL_ALIASES/);
  assert.throws(() => loadConfig({ TASKLANE_LLM_BASE_URL: 'ftp://x' }), /TASKLANE_LLM_BASE_URL/);
  const config = loadConfig({
    TASKLANE_LLM_BASE_URL: 'http://127.0.0.1:11434/v1',
    TASKLANE_LLM_MODEL: 'llama3.1:8b',
    OPENAI_API_KEY: 'sk-real',
    ANTHROPIC_API_KEY: 'sk-ant',
  });
  assert.deepEqual(
    config.ai.providers.map((p) => [p.name, p.kind]),
    [
      ['default', 'openai-compatible'],
      ['openai', 'openai'],
      ['anthropic', 'anthropic'],
    ],
  );
  assert.equal(config.ai.defaultProvider, 'default');
});

test('the agent loop over HTTP: the real client calls a tool and answers', async () => {
  const { actor, ctx } = await newActor(t);
  const workspace = await t.runtime.workspaces.create(`agent-http-${process.pid}`);
  try {
    const result = await runAgent({
      ctx,
      owner: { userId: actor.userId, tenantId: actor.tenantId },
      prompt: 'What is 6 * 7?',
      settings: { provider: 'openai', model: 'gpt-4', tools: ['calculator'] },
      workspace,
      sandbox: undefined,
      network: false,
      signal: new AbortController().signal,
    });
    assert.equal(result.text, 'Done. The tools reported 42.');
    assert.deepEqual(result.toolsUsed, ['calculator']);
    assert.equal(result.steps.length, 2);
  } finally {
    await workspace.remove();
  }
});

test('browser_screenshot saves a PNG, and without network only local pages load', async (s) => {
  if (!fs.existsSync('/usr/bin/chromium')) return s.skip('chromium is not installed');
  const { actor, ctx } = await newActor(t);
  const workspace = await t.runtime.workspaces.create(`agent-shot-${process.pid}`);
  try {
    const result = await runAgent({
      ctx,
      owner: { userId: actor.userId, tenantId: actor.tenantId },
      prompt: 'Screenshot it',
      settings: { provider: 'openai', model: 'gpt-4', tools: ['browser_screenshot'] },
      workspace,
      sandbox: sandboxOf(t),
      network: false,
      signal: new AbortController().signal,
    });
    assert.deepEqual(result.toolsUsed, ['browser_screenshot']);
    const png = await readWorkspaceFile(workspace, 'out/screenshot.png');
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
    assert.ok(png.length > 1000);
    const toolMessage = fixture.requests.at(-1)!.messages.find((m) => m.role === 'tool');
    assert.match(String(toolMessage?.content), /screenshot\.png/);

    const { browserScreenshotTool } = await import(
      '../../../src/core/ai/tools/browser-screenshot.ts'
    );
    const tool = browserScreenshotTool({
      ctx,
      workspace,
      sandbox: sandboxOf(t),
      network: false,
      signal: new AbortController().signal,
      reportSandboxMs: () => {},
    });
    await assert.rejects(
      (tool.execute as any)({ url: fixture.url }, { toolCallId: 'x', messages: [] }),
      /no network access/,
    );
  } finally {
    await workspace.remove();
  }
});

test('credits: concurrent holds never exceed the allotment, and settle books the real cost', async () => {
  const { actor, ctx } = await newActor(t, { tier: 'pro' });
  const owner = { userId: actor.userId, tenantId: actor.tenantId };
  // TASKLANE_CREDITS_PRO=1 → 1,000 micro-USD; 20 runs each hold 300 at once.
  const attempts = await Promise.allSettled(
    Array.from({ length: 20 }, () => reserveCredits(ctx, owner, 300)),
  );
  const held = attempts.filter((a) => a.status === 'fulfilled');
  assert.equal(held.length, 3);
  for (const a of attempts) {
    if (a.status === 'rejected')
      assert.equal((a.reason as DomainError).code, 'insufficient_credits');
  }
  for (const a of held) {
    await (a as PromiseFulfilledResult<Awaited<ReturnType<typeof reserveCredits>>>).value.settle({
      kind: 'llm',
      modelKey: 'openai/llama3.1:8b',
      costMicroUsd: 250,
    });
  }
  const balance = await getBalance(ctx, actor.userId);
  assert.equal(balance.consumedMicroUsd, 750);
  assert.equal(balance.reservedMicroUsd, 0);
  assert.equal(balance.remainingMicroUsd, 250);
  assert.equal(balance.allottedMicroUsd, 1000);

  const today = utcDay(Date.now());
  const summary = await usageSummary(ctx, {
    userId: actor.userId,
    fromDay: today - 1,
    toDay: today,
  });
  assert.equal(summary.totals.calls, 3);
  assert.equal(summary.totals.costMicroUsd, 750);
  assert.deepEqual(
    summary.byModel.map((m) => [m.modelKey, m.totals.calls]),
    [['openai/llama3.1:8b', 3]],
  );
  assert.deepEqual(
    summary.byDay.map((d) => [d.day, d.totals.costMicroUsd]),
    [[today, 750]],
  );
});

test('calculator: arithmetic without eval', () => {
  assert.equal(evaluate('6 * 7'), 42);
  assert.equal(evaluate('2 ^ 10 + (3 - 1) * -2'), 1020);
  assert.equal(evaluate('sqrt(16) + max(1, 5) % 3'), 6);
  assert.ok(Math.abs(evaluate('pi') - Math.PI) < 1e-12);
  assert.throws(() => evaluate('1 / 0'), /division by zero/);
  assert.throws(() => evaluate('process.exit()'), /unknown symbol/);
  assert.throws(() => evaluate('(1 + 2'), /expected "\)"/);
});

test('browser_screenshot renders a page served locally when the run may use the network', async (s) => {
  if (!fs.existsSync('/usr/bin/chromium'))
    return s.skip('chromium is not installed (.ci/run installs it)');
  const http = await import('node:http');
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      '<html><head><title>Local page</title></head><body><h1>Served by the test</h1></body></html>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as import('node:net').AddressInfo;
  const { ctx } = await newActor(t);
  const workspace = await t.runtime.workspaces.create(`shot-local-${process.pid}`);
  try {
    const { browserScreenshotTool } = await import(
      '../../../src/core/ai/tools/browser-screenshot.ts'
    );
    const tool = browserScreenshotTool({
      ctx,
      workspace,
      sandbox: sandboxOf(t),
      network: true,
      signal: new AbortController().signal,
      reportSandboxMs: () => {},
    });
    const out = await (tool.execute as any)(
      { url: `http://127.0.0.1:${port}/`, width: 800, height: 600 },
      { toolCallId: 'x', messages: [] },
    );
    assert.equal(out.title, 'Local page');
    assert.equal(out.status, 200);
    const png = await readWorkspaceFile(workspace, 'out/screenshot.png');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // The PNG header's width and height are the viewport's.
    assert.equal(png.readUInt32BE(16), 800);
    assert.equal(png.readUInt32BE(20), 600);
    const outputs: string[] = [];
    await workspace.collectOutputs({ maxFiles: 10, maxFileBytes: 1e8 }, async (file) => {
      outputs.push(file.name);
    });
    assert.deepEqual(
      outputs,
      ['screenshot.png'],
      'it is in out/, so the task keeps it as an artifact',
    );
  } finally {
    await workspace.remove();
    server.close();
  }
});
