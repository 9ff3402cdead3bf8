/**
 * Codeep task results (GET /v1/tasks/tasks/{task_id}/results), queue status
 * (GET /v1/tasks/queue/status) and the daily quota (GET /v1/auth/quota[/validate] and
 * task creation past it), field by field against specs/codeep-v1.md. One server has
 * workers and runs agent tasks for real (LLM fixture, sandboxed code_executor; the
 * dashboard's cost_estimate after such a run is checked here too); the others have none,
 * so tasks stay queued.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir } from '../../helpers/db.ts';
import { createUser } from '../../helpers/users.ts';
import {
  assertCodeepError,
  type CodeepEnv,
  createTask,
  ISO,
  MALFORMED_IDS,
  MISSING_ID,
  startCodeep,
  updateTask,
  waitFor,
} from './support.ts';

let live: CodeepEnv; // two workers: tasks run
let idle: CodeepEnv; // no workers: tasks stay queued
let small: CodeepEnv; // no workers, daily_limit 2, every user on the premium tier
/** USD per 1M input tokens of the fixture's model (output and sandbox time are free). */
const INPUT_PRICE = 1000;
before(async () => {
  const catalog = path.join(makeTempDir('tasklane-catalog-'), 'catalog.json');
  const free = { input_per_1m: 0, cached_input_per_1m: 0, output_per_1m: 0, per_second: 0 };
  fs.writeFileSync(
    catalog,
    JSON.stringify({
      models: [
        {
          key: 'default/llama3.1:8b',
          provider: 'default',
          name: 'llama3.1:8b',
          capabilities: ['chat', 'tools'],
          pricing: { ...free, input_per_1m: INPUT_PRICE, cached_input_per_1m: INPUT_PRICE },
        },
        { key: 'sandbox/seconds', provider: 'sandbox', name: 'sandbox', pricing: free },
      ],
    }),
  );
  [live, idle, small] = await Promise.all([
    startCodeep({ workers: 2, env: { TASKLANE_MODEL_CATALOG: catalog } }),
    startCodeep({ workers: 0 }),
    startCodeep({
      workers: 0,
      env: { TASKLANE_DEFAULT_DAILY_LIMIT: '2', TASKLANE_DEFAULT_TIER: 'premium' },
    }),
  ]);
});
after(async () => {
  await Promise.all([live?.close(), idle?.close(), small?.close()]);
});

const resultsOf = (env: CodeepEnv, id: string, token: string) =>
  env.api.get(`/v1/tasks/tasks/${id}/results`, { token });

describe('GET /v1/tasks/tasks/{task_id}/results', () => {
  test('202 with task_id, status and the message while queued or processing', async () => {
    const user = await createUser(idle.api, 'waiting');
    const id = await createTask(idle.api, user.token);
    const queued = await resultsOf(idle, id, user.token);
    assert.equal(queued.status, 202, queued.text);
    assert.deepEqual(queued.body, {
      task_id: id,
      status: 'queued',
      message: 'Task is not completed yet',
    });
    await updateTask(idle.api, user.token, id, { status: 'processing' });
    const processing = await resultsOf(idle, id, user.token);
    assert.equal(processing.status, 202, processing.text);
    assert.deepEqual(processing.body, {
      task_id: id,
      status: 'processing',
      message: 'Task is not completed yet',
    });
  });

  test('200 after a real run: result, signed result_urls that need no auth, completed_at', async () => {
    const user = await createUser(live.api, 'runner');
    const prompt = 'Compute 6 * 7 with Python and save the answer';
    const id = await createTask(live.api, user.token, { prompt, toolset: ['code_executor'] });
    const task = await waitFor(`task ${id} to finish`, async () => {
      const res = await live.api.get(`/v1/tasks/tasks/${id}`, { token: user.token });
      return ['completed', 'failed'].includes(res.body.task.status) ? res.body.task : undefined;
    });
    assert.equal(task.status, 'completed', JSON.stringify(task));
    // The model was offered the toolset, and the sandboxed code printed 42.
    const call = live.fixture.requests.find((r) => r.messages.some((m) => m.content === prompt));
    assert.deepEqual(
      call?.tools?.map((t) => t.function.name),
      ['code_executor'],
    );

    const res = await resultsOf(live, id, user.token);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'completed_at',
      'result',
      'result_urls',
      'status',
      'task_id',
    ]);
    assert.equal(res.body.task_id, id);
    assert.equal(res.body.status, 'completed');
    assert.equal(res.body.result, task.result);
    assert.match(res.body.result, /42/);
    assert.match(res.body.completed_at, ISO);
    assert.equal(res.body.completed_at, task.completed_at);

    const urls: Record<string, string> = res.body.result_urls;
    for (const name of ['output.json', 'result.txt', 'answer.json'])
      assert.ok(name in urls, `${name} in ${Object.keys(urls)}`);
    const download = async (url: string) => {
      const got = await fetch(url); // no Authorization header
      return { status: got.status, text: await got.text() };
    };
    for (const [name, url] of Object.entries(urls)) {
      assert.match(url, /^https?:\/\//, name);
      assert.equal((await download(url)).status, 200, `${name}: ${url}`);
    }
    assert.equal((await download(urls['result.txt']!)).text.trim(), task.result);
    assert.equal(JSON.parse((await download(urls['output.json']!)).text).output, task.result);
    assert.deepEqual(JSON.parse((await download(urls['answer.json']!)).text), { answer: 42 });

    const url = new URL(urls['result.txt']!);
    const signature = url.searchParams.get('signature')!;
    const tampered = new URL(url);
    tampered.searchParams.set(
      'signature',
      `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`,
    );
    assert.equal((await download(tampered.toString())).status, 404);
    const extended = new URL(url);
    extended.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    assert.equal((await download(extended.toString())).status, 404);
  });

  test('a result that is JSON text comes back parsed; other text as the string', async () => {
    const user = await createUser(idle.api, 'parsed');
    const json = await createTask(idle.api, user.token);
    const text = await createTask(idle.api, user.token);
    const result = '{"rows": 3, "columns": ["region", "sales"], "ok": true}';
    const done = await updateTask(idle.api, user.token, json, { status: 'completed', result });
    assert.equal(done.result, result, 'the task itself shows the text');
    const parsed = await resultsOf(idle, json, user.token);
    assert.equal(parsed.status, 200, parsed.text);
    assert.deepEqual(parsed.body.result, { rows: 3, columns: ['region', 'sales'], ok: true });
    assert.deepEqual(parsed.body.result_urls, {});
    assert.equal(parsed.body.completed_at, done.completed_at);

    await updateTask(idle.api, user.token, text, { status: 'completed', result: 'Sales: up 15%' });
    const plain = await resultsOf(idle, text, user.token);
    assert.equal(plain.body.result, 'Sales: up 15%');
  });

  test('a failed task answers 200 with status failed and its error_message', async () => {
    const user = await createUser(idle.api, 'failing');
    const id = await createTask(idle.api, user.token);
    await updateTask(idle.api, user.token, id, { status: 'failed', error_message: 'Timed out' });
    const res = await resultsOf(idle, id, user.token);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.status, 'failed');
    assert.equal(res.body.error_message, 'Timed out');
    assert.equal(res.body.result, null);
    assert.match(res.body.completed_at, ISO);
  });

  test('404 for an unknown or malformed id', async () => {
    const user = await createUser(idle.api, 'missing');
    for (const id of [MISSING_ID, ...MALFORMED_IDS]) {
      const res = await resultsOf(idle, id, user.token);
      assertCodeepError(res, 404, id);
      assert.equal(res.body.msg, 'Task not found');
    }
  });
});

describe('GET /v1/tasks/queue/status', () => {
  const status = async (env: CodeepEnv, token: string) => {
    const res = await env.api.get('/v1/tasks/queue/status', { token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), [
      'consumer_stats',
      'queue_lengths',
      'total_queued',
    ]);
    assert.deepEqual(Object.keys(res.body.queue_lengths).sort(), ['normal', 'premium']);
    assert.deepEqual(Object.keys(res.body.consumer_stats).sort(), [
      'active_consumers',
      'processing_tasks',
    ]);
    const { normal, premium } = res.body.queue_lengths;
    assert.equal(res.body.total_queued, normal + premium);
    return res.body;
  };

  test('queued and processing tasks are counted (free users: the normal lane)', async () => {
    const user = await createUser(idle.api, 'queue');
    const before = await status(idle, user.token);
    assert.equal(before.consumer_stats.active_consumers, 0, 'this server has no workers');
    const a = await createTask(idle.api, user.token);
    await createTask(idle.api, user.token);
    const queued = await status(idle, user.token);
    assert.deepEqual(queued.queue_lengths, {
      normal: before.queue_lengths.normal + 2,
      premium: before.queue_lengths.premium,
    });
    assert.equal(queued.total_queued, before.total_queued + 2);

    await updateTask(idle.api, user.token, a, { status: 'processing' });
    const moved = await status(idle, user.token);
    assert.equal(moved.queue_lengths.normal, before.queue_lengths.normal + 1);
    assert.equal(moved.consumer_stats.processing_tasks, before.consumer_stats.processing_tasks + 1);
    await updateTask(idle.api, user.token, a, { status: 'completed' });
    const finished = await status(idle, user.token);
    assert.equal(finished.consumer_stats.processing_tasks, before.consumer_stats.processing_tasks);
    assert.equal(finished.total_queued, before.total_queued + 1);
  });

  test('premium users queue in the premium lane', async () => {
    const user = await createUser(small.api, 'premium');
    const before = await status(small, user.token);
    await createTask(small.api, user.token);
    const after = await status(small, user.token);
    assert.deepEqual(after.queue_lengths, {
      normal: before.queue_lengths.normal,
      premium: before.queue_lengths.premium + 1,
    });
  });

  test("active_consumers counts the server's workers", async () => {
    const user = await createUser(live.api, 'consumers');
    await waitFor('both workers to be active', async () => {
      const body = await status(live, user.token);
      return body.consumer_stats.active_consumers === 2 ? body : undefined;
    });
  });
});

describe('daily quota', () => {
  test('/auth/quota and /auth/quota/validate as tasks are created, 429 once used up', async () => {
    const user = await createUser(small.api, 'quota');
    const t = { token: user.token };
    const quota = async () => {
      const res = await small.api.get('/v1/auth/quota', t);
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    const validate = () => small.api.get('/v1/auth/quota/validate', t);

    assert.deepEqual(await quota(), { daily_limit: 2, used_today: 0, remaining: 2 });
    let valid = await validate();
    assert.equal(valid.status, 200, valid.text);
    assert.deepEqual(valid.body, { valid: true, daily_limit: 2, used_today: 0, remaining: 2 });

    await createTask(small.api, user.token);
    assert.deepEqual(await quota(), { daily_limit: 2, used_today: 1, remaining: 1 });
    valid = await validate();
    assert.deepEqual(valid.body, { valid: true, daily_limit: 2, used_today: 1, remaining: 1 });

    await createTask(small.api, user.token);
    assert.deepEqual(await quota(), { daily_limit: 2, used_today: 2, remaining: 0 });
    valid = await validate();
    assert.equal(valid.status, 429, valid.text);
    assert.deepEqual(valid.body, {
      valid: false,
      msg: 'Daily quota exceeded',
      daily_limit: 2,
      used_today: 2,
    });

    const refused = await small.api.post('/v1/tasks/tasks', { prompt: 'one more' }, t);
    assertCodeepError(refused, 429);
    assert.equal(refused.body.msg, 'Daily quota exceeded');
    assert.equal(refused.body.daily_limit, 2);
    assert.equal(refused.body.used_today, 2);
    assert.deepEqual(await quota(), { daily_limit: 2, used_today: 2, remaining: 0 });
    const listed = await small.api.get('/v1/tasks/tasks', t);
    assert.equal(listed.body.tasks.length, 2, 'the refused task was not created');
  });

  test("one user's quota is not another's", async () => {
    const busy = await createUser(small.api, 'busy');
    const fresh = await createUser(small.api, 'fresh');
    await createTask(small.api, busy.token);
    await createTask(small.api, busy.token);
    assert.equal(
      (await small.api.get('/v1/auth/quota/validate', { token: busy.token })).status,
      429,
    );
    const res = await small.api.get('/v1/auth/quota/validate', { token: fresh.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { valid: true, daily_limit: 2, used_today: 0, remaining: 2 });
    await createTask(small.api, fresh.token);
  });

  test('past the 100 requests a minute, task creation is a 429 with retry_after', async () => {
    const limited = await startCodeep({
      env: { TASKLANE_RATE_LIMIT: 'true', TASKLANE_DEFAULT_DAILY_LIMIT: '1000' },
    });
    try {
      const user = await createUser(limited.api, 'hasty');
      for (let i = 0; i < 100; i++) await createTask(limited.api, user.token, { prompt: `n${i}` });
      const res = await limited.api.post(
        '/v1/tasks/tasks',
        { prompt: 'n100' },
        { token: user.token },
      );
      assertCodeepError(res, 429);
      assert.ok(Number.isInteger(res.body.retry_after) && res.body.retry_after > 0, res.text);
      assert.equal(res.headers.get('retry-after'), String(res.body.retry_after));
    } finally {
      await limited.close();
    }
  });

  test('the default daily_limit is 100', async () => {
    const user = await createUser(idle.api, 'default');
    const res = await idle.api.get('/v1/auth/quota', { token: user.token });
    assert.deepEqual(res.body, { daily_limit: 100, used_today: 0, remaining: 100 });
  });
});

describe('GET /v1/dashboard/stats after a real run', () => {
  test("cost_estimate is today's and this month's metered cost, in USD", async () => {
    const user = await createUser(live.api, 'spender');
    const before = await live.api.get('/v1/dashboard/stats', { token: user.token });
    assert.deepEqual(before.body.cost_estimate, { today: 0, monthly: 0, currency: 'USD' });
    const prompt = `Summarise the quarterly figures (${user.username})`;
    const id = await createTask(live.api, user.token, { prompt });
    await waitFor(`task ${id} to complete`, async () => {
      const res = await live.api.get(`/v1/tasks/tasks/${id}`, { token: user.token });
      return res.body.task.status === 'completed' ? true : undefined;
    });
    // The fixture reports ceil(length of the messages' JSON / 4) prompt tokens per call.
    const calls = live.fixture.requests.filter((r) => r.messages.some((m) => m.content === prompt));
    assert.ok(calls.length > 0);
    const tokens = calls.reduce((n, r) => n + Math.ceil(JSON.stringify(r.messages).length / 4), 0);
    const res = await live.api.get('/v1/dashboard/stats', { token: user.token });
    assert.equal(res.status, 200, res.text);
    const cost = res.body.cost_estimate;
    assert.deepEqual(Object.keys(cost).sort(), ['currency', 'monthly', 'today']);
    assert.equal(cost.currency, 'USD');
    assert.equal(cost.today, (tokens * INPUT_PRICE) / 1_000_000);
    assert.ok(cost.today > 0);
    assert.equal(cost.monthly, cost.today, "all of this month's usage was today");
    assert.equal(res.body.task_stats.success_rate, 100);
  });
});
