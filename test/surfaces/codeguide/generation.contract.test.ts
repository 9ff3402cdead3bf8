/**
 * CodeGuide generation against the OpenAI-compatible fixture over real HTTP: each
 * endpoint's answer field by field, the prompt templates reaching the model, structured
 * answers (response_format json_schema), image_urls refused by a text-only model and
 * passed to a vision model, every call in the usage ledger, 402 with nothing charged
 * when out of credits, SSE with Accept: text/event-stream, and multiple-documents
 * storing each document (keeping what succeeded when one fails).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertError,
  type CgEnv,
  type CgUser,
  MISSING_ID,
  registerUser,
  startCodeGuide,
  TEXT_MODEL,
  VISION_MODEL,
} from './support.ts';

let env: CgEnv;
let user: CgUser;

before(async () => {
  env = await startCodeGuide({ workers: 0, env: { TASKLANE_LLM_MAX_RETRIES: '0' } });
  user = await registerUser(env.api);
});
after(() => env?.close());

function ledgerRows(userId: number) {
  return env.server.runtime.database.db
    .selectFrom('usage_records')
    .selectAll()
    .where('user_id', '=', userId)
    .execute();
}

const lastRequest = () => env.fixture.requests.at(-1)!;
const systemOf = (r = lastRequest()) =>
  String(r.messages.find((m) => m.role === 'system')?.content ?? '');
const userOf = (r = lastRequest()) =>
  JSON.stringify(r.messages.find((m) => m.role === 'user')?.content ?? '');

const planning = {
  description: 'A marketplace for local bakers',
  selected_tools: ['cursor'],
  answers: { 'Who are the users?': 'Bakers and neighbours' },
};

test('refine-prompt: {refined_prompt}, the template and the prompt reach the model, metered', async () => {
  const before = (await ledgerRows(user.id)).length;
  const res = await env.api.post(
    '/v1/generate/refine-prompt',
    { user_prompt: 'an app for bakers' },
    user.auth,
  );
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body), ['refined_prompt']);
  assert.equal(typeof res.body.refined_prompt, 'string');
  assert.match(res.body.refined_prompt, /an app for bakers/);
  assert.equal(lastRequest().model, TEXT_MODEL);
  assert.match(systemOf(), /senior product manager who turns rough ideas/);
  assert.match(userOf(), /Refine this prompt:/);
  const rows = await ledgerRows(user.id);
  assert.equal(rows.length, before + 1);
  const row = rows.at(-1)!;
  assert.equal(row.kind, 'llm');
  assert.equal(row.model_key, `default/${TEXT_MODEL}`);
  assert.ok(row.input_tokens > 0 && row.output_tokens > 0);
  assert.ok(Number(row.cost_micro_usd) > 0);
});

test('image_urls: a text-only model refuses them with 422 before any call', async () => {
  const calls = env.fixture.requests.length;
  const res = await env.api.post(
    '/v1/generate/refine-prompt',
    { user_prompt: 'like this', image_urls: ['https://example.com/sketch.png'] },
    user.auth,
  );
  assertError(res, 422, /image_urls: the model "planner-text" cannot read images/);
  assert.equal(env.fixture.requests.length, calls);
  assertError(
    await env.api.post(
      '/v1/generate/refine-prompt',
      { user_prompt: 'x', image_urls: ['file:///etc/passwd'] },
      user.auth,
    ),
    422,
  );
});

test('image_urls: a vision model receives them as image parts', async () => {
  const vision = await startCodeGuide({
    workers: 0,
    env: { TASKLANE_CODEGUIDE_MODEL: VISION_MODEL },
  });
  try {
    const viewer = await registerUser(vision.api);
    const res = await vision.api.post(
      '/v1/generate/refine-prompt',
      { user_prompt: 'like this', image_urls: ['https://example.com/sketch.png'] },
      viewer.auth,
    );
    assert.equal(res.status, 200, res.text);
    const sent = vision.fixture.requests.at(-1)!;
    assert.equal(sent.model, VISION_MODEL);
    const content = sent.messages.find((m) => m.role === 'user')!.content as any[];
    assert.ok(Array.isArray(content));
    assert.ok(
      content.some(
        (part) =>
          part.type === 'image_url' && part.image_url.url === 'https://example.com/sketch.png',
      ),
      JSON.stringify(content),
    );
  } finally {
    await vision.close();
  }
});

test('title: {title}, one line without quotes; is_deep_research changes the prompt', async () => {
  const res = await env.api.post(
    '/v1/generate/title',
    { description: 'Track sourdough starters', is_deep_research: true },
    user.bearer,
  );
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body), ['title']);
  assert.ok(res.body.title.length > 0 && !res.body.title.includes('\n'));
  assert.match(systemOf(), /deep-research task/);
  await env.api.post('/v1/generate/title', { description: 'Track starters' }, user.auth);
  assert.doesNotMatch(systemOf(), /deep-research/);
});

test('questionnaire: {questions: string[]} through structured output', async () => {
  const res = await env.api.post(
    '/v1/generate/questionnaire',
    { project_context: 'A bakery marketplace' },
    user.auth,
  );
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(Object.keys(res.body), ['questions']);
  assert.ok(Array.isArray(res.body.questions) && res.body.questions.length > 0);
  for (const q of res.body.questions) assert.equal(typeof q, 'string');
  const sent = lastRequest();
  assert.equal(sent.response_format?.type, 'json_schema');
  assert.deepEqual(sent.response_format?.json_schema?.schema, {
    type: 'object',
    properties: { questions: { type: 'array', items: { type: 'string' } } },
    required: ['questions'],
    additionalProperties: false,
  });
  const rows = await ledgerRows(user.id);
  assert.equal(rows.at(-1)!.kind, 'llm');
});

test('category: chosen from existing_categories (an enum in the schema), else free', async () => {
  const chosen = await env.api.post(
    '/v1/generate/category',
    { title: 'Bakery marketplace', existing_categories: ['Marketplace', 'Tools', 'Marketplace'] },
    user.auth,
  );
  assert.equal(chosen.status, 200, chosen.text);
  assert.deepEqual(chosen.body, { category: 'Marketplace' });
  assert.deepEqual(lastRequest().response_format?.json_schema?.schema.properties?.category, {
    type: 'string',
    enum: ['Marketplace', 'Tools'],
  });
  const free = await env.api.post('/v1/generate/category', { title: 'Bakery' }, user.auth);
  assert.equal(free.status, 200);
  assert.deepEqual(Object.keys(free.body), ['category']);
  assert.ok(free.body.category.length > 0);
});

test('prd, outline, document: {content} / {outline} / {content} with the context sent', async () => {
  const prd = await env.api.post(
    '/v1/generate/prd',
    { ...planning, outline: '1. Intro' },
    user.auth,
  );
  assert.equal(prd.status, 200, prd.text);
  assert.deepEqual(Object.keys(prd.body), ['content']);
  assert.match(systemOf(), /Project Requirements Document/);
  assert.match(userOf(), /Bakers and neighbours/);
  assert.match(userOf(), /Follow this outline/);

  const outline = await env.api.post(
    '/v1/generate/outline',
    { ...planning, project_type: 'App Flow', prd: 'The PRD text' },
    user.auth,
  );
  assert.equal(outline.status, 200, outline.text);
  assert.deepEqual(Object.keys(outline.body), ['outline']);
  assert.match(systemOf(), /outline .* for the App Flow/);
  assert.match(userOf(), /The PRD text/);

  const doc = await env.api.post(
    '/v1/generate/document',
    { ...planning, custom_document_type: 'Security Review' },
    user.auth,
  );
  assert.equal(doc.status, 200, doc.text);
  assert.deepEqual(Object.keys(doc.body), ['content']);
  assert.match(systemOf(), /Write the Security Review/);
});

test('SSE with Accept: text/event-stream: start, tokens, done with the answer', async () => {
  const res = await fetch(`${env.server.url}/v1/generate/prd`, {
    method: 'POST',
    headers: {
      ...user.auth.headers,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify(planning),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const events = (await res.text())
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => JSON.parse(block.slice(6)));
  assert.equal(events[0].type, 'start');
  assert.ok(events.some((e) => e.type === 'token'));
  const done = events.at(-1);
  assert.equal(done.type, 'done');
  const streamed = events
    .filter((e) => e.type === 'token')
    .map((e) => e.content)
    .join('');
  assert.equal(done.content, streamed);
  assert.match(done.content, /You said: Project description/);
  assert.ok(done.tokens_used > 0);
  assert.ok(done.cost > 0);
  // Structured endpoints answer JSON whatever the Accept header says.
  const questions = await env.api.post(
    '/v1/generate/questionnaire',
    { project_context: 'x' },
    { headers: { ...user.auth.headers, accept: 'text/event-stream' } },
  );
  assert.ok(Array.isArray(questions.body.questions));
});

test('out of credits: 402 {detail}, nothing sent to the model, nothing charged', async () => {
  const broke = await startCodeGuide({ workers: 0, env: { TASKLANE_CREDITS_FREE: '0' } });
  try {
    const poor = await registerUser(broke.api);
    const calls = broke.fixture.requests.length;
    for (const [path, body] of [
      ['/v1/generate/refine-prompt', { user_prompt: 'x' }],
      ['/v1/generate/questionnaire', { project_context: 'x' }],
      ['/v1/generate/category', { title: 'x' }],
      ['/v1/generate/prd', planning],
    ] as const)
      assertError(await broke.api.post(path, body, poor.auth), 402, /credits/i);
    const sse = await fetch(`${broke.server.url}/v1/generate/title`, {
      method: 'POST',
      headers: {
        ...poor.auth.headers,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ description: 'x' }),
    });
    assert.equal(sse.status, 402);
    assert.match(((await sse.json()) as { detail: string }).detail, /credits/i);
    const project = (
      await broke.api.post('/v1/projects', { title: 'p', description: 'd' }, poor.auth)
    ).body.data;
    assertError(
      await broke.api.post(
        '/v1/generate/multiple-documents',
        { ...planning, project_id: project.id, document_types: ['prd'] },
        poor.auth,
      ),
      402,
      /credits/i,
    );
    assertError(
      await broke.api.post('/v1/generate/background', { project_id: project.id }, poor.auth),
      402,
      /credits/i,
    );
    assert.equal(broke.fixture.requests.length, calls);
    const rows = await broke.server.runtime.database.db
      .selectFrom('usage_records')
      .selectAll()
      .where('user_id', '=', poor.id)
      .execute();
    assert.equal(rows.length, 0);
    const docs = await broke.api.get(`/v1/projects/${project.id}`, poor.auth);
    assert.deepEqual(docs.body.data.project_documents, []);
  } finally {
    await broke.close();
  }
});

test('credits running low: one credits.low notification when a call crosses a tenth', async () => {
  const tight = await startCodeGuide({
    workers: 0,
    env: { TASKLANE_CREDITS_FREE: '150', TASKLANE_CODEGUIDE_MAX_OUTPUT_TOKENS: '100' },
  });
  try {
    const spender = await registerUser(tight.api);
    let refused = 0;
    for (let i = 0; i < 80 && refused === 0; i++) {
      const res = await tight.api.post(
        '/v1/generate/refine-prompt',
        { user_prompt: `an app for bakers ${i}` },
        spender.auth,
      );
      if (res.status === 402) refused += 1;
      else assert.equal(res.status, 200, res.text);
    }
    assert.equal(refused, 1, 'the credits ran out within 80 calls');
    const notes = (await tight.api.get('/v1/notifications', spender.auth)).body.data;
    const low = notes.filter((n: any) => n.type === 'credits.low');
    assert.equal(low.length, 1, JSON.stringify(notes));
    assert.equal(low[0].title, 'Credits running low');
    assert.match(low[0].message, /credits left in this billing cycle/);
  } finally {
    await tight.close();
  }
});

test('multiple-documents: each type stored on the project; a failure keeps the rest', async () => {
  const project = (
    await env.api.post('/v1/projects', { title: 'Bakery', description: 'Bakers' }, user.auth)
  ).body.data;
  const res = await env.api.post(
    '/v1/generate/multiple-documents',
    { ...planning, project_id: project.id, document_types: ['prd', 'app_flow', 'tech_stack'] },
    user.auth,
  );
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.success, true);
  assert.equal(res.body.error, undefined);
  const stored = (await env.api.get(`/v1/projects/${project.id}`, user.auth)).body.data
    .project_documents;
  assert.deepEqual(stored.map((d: any) => d.document_type).sort(), [
    'app_flow',
    'prd',
    'tech_stack',
  ]);
  for (const d of stored) {
    assert.equal(d.project_id, project.id);
    assert.ok(d.content.length > 0);
  }

  env.fixture.failWhen = (request) =>
    JSON.stringify(request.messages).includes('Write the App Flow');
  try {
    const partial = await env.api.post(
      '/v1/generate/multiple-documents',
      { ...planning, project_id: project.id, document_types: ['app_flow', 'backend_structure'] },
      user.auth,
    );
    assert.equal(partial.status, 200, partial.text);
    assert.equal(partial.body.success, false);
    assert.match(partial.body.error, /Failed to generate: app_flow/);
    assert.match(partial.body.error, /Generated and saved: backend_structure/);
  } finally {
    env.fixture.failWhen = undefined;
  }
  const after = (await env.api.get(`/v1/projects/${project.id}`, user.auth)).body.data
    .project_documents;
  assert.deepEqual(after.map((d: any) => d.document_type).sort(), [
    'app_flow',
    'backend_structure',
    'prd',
    'tech_stack',
  ]);

  assertError(
    await env.api.post(
      '/v1/generate/multiple-documents',
      { ...planning, project_id: project.id, document_types: ['prd', 'poems'] },
      user.auth,
    ),
    422,
    /Unknown document types: poems/,
  );
  assertError(
    await env.api.post(
      '/v1/generate/multiple-documents',
      { ...planning, project_id: MISSING_ID, document_types: ['prd'] },
      user.auth,
    ),
    404,
  );
  const other = await registerUser(env.api, 'thief');
  assertError(
    await env.api.post(
      '/v1/generate/multiple-documents',
      { ...planning, project_id: project.id, document_types: ['prd'] },
      other.auth,
    ),
    404,
  );
});

test('bad generation input: empty text, huge answers, too many images → 422', async () => {
  for (const [path, body] of [
    ['/v1/generate/refine-prompt', { user_prompt: '' }],
    ['/v1/generate/refine-prompt', { user_prompt: '   ' }],
    ['/v1/generate/title', { description: 'x', is_deep_research: 'yes' }],
    ['/v1/generate/questionnaire', {}],
    ['/v1/generate/prd', { ...planning, answers: ['not', 'an', 'object'] }],
    ['/v1/generate/prd', { ...planning, selected_tools: 'cursor' }],
    ['/v1/generate/category', { title: 'x', existing_categories: [1, 2] }],
    ['/v1/generate/outline', { ...planning }],
    ['/v1/generate/document', { ...planning, description: '' }],
    [
      '/v1/generate/multiple-documents',
      { ...planning, project_id: MISSING_ID, document_types: [] },
    ],
    ['/v1/generate/background', { project_id: MISSING_ID, document_types: [] }],
    [
      '/v1/generate/refine-prompt',
      { user_prompt: 'x', image_urls: Array.from({ length: 11 }, () => 'https://e.com/a.png') },
    ],
  ] as const)
    assertError(await env.api.post(path, body, user.auth), 422);
  // More answers than any questionnaire has (within the body limit): 422.
  const many = Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`q${i}`, 'x']));
  assertError(
    await env.api.post('/v1/generate/prd', { ...planning, answers: many }, user.auth),
    422,
  );
  // Answers past the body limit: 413.
  const huge = { q: 'x'.repeat(20_000) };
  assertError(
    await env.api.post('/v1/generate/prd', { ...planning, answers: huge }, user.auth),
    413,
  );
});
