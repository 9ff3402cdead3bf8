/**
 * Codeep dashboard (GET /v1/dashboard/stats, /tasks/history, /usage) against
 * specs/codeep-v1.md. A ManualClock puts tasks on chosen UTC days:
 *
 *   2025-02-27  t1 completed, t2 failed
 *   2025-02-28  (nothing)
 *   2025-03-01  t3 completed, t4 queued, t8 created and deleted
 *   2025-03-02  t5 processing, t6 completed, t7 queued (a long prompt)   ← today
 *
 * Requests authenticate with the API key (a JWT would expire as the clock jumps days).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../src/core/shared/clock.ts';
import { request } from '../../helpers/http.ts';
import { createUser, type TestUser } from '../../helpers/users.ts';
import {
  assertCodeepError,
  type CodeepEnv,
  createTask,
  ISO,
  startCodeep,
  TASK_KEYS,
  updateTask,
} from './support.ts';

const HOUR = 3_600_000;
const LONG_PROMPT = `Analyze dataset ${'and summarise every column '.repeat(10)}`.trim();
const clock = new ManualClock('2025-02-27T09:00:00Z');
let env: CodeepEnv;
let user: TestUser;
let key: string;
const t: Record<string, string> = {};
const created: Record<string, string> = {};

before(async () => {
  env = await startCodeep({ workers: 0, clock, env: { TASKLANE_DEFAULT_DAILY_LIMIT: '20' } });
  user = await createUser(env.api, 'dash');
  key = user.apiKey;
  const other = await createUser(env.api, 'neighbour');
  const make = async (name: string, prompt = `Analyze dataset ${name}`) => {
    t[name] = await createTask(env.api, key, { prompt });
    created[name] = new Date(clock.now()).toISOString();
    clock.advance(HOUR);
  };
  await make('t1');
  await make('t2');
  clock.set('2025-03-01T08:00:00Z');
  await make('t3');
  await make('t4');
  await make('t8');
  clock.set('2025-03-02T10:00:00Z');
  await make('t5');
  await make('t6');
  await make('t7', LONG_PROMPT);
  await createTask(env.api, other.apiKey, { prompt: 'not yours' });
  await createTask(env.api, other.apiKey, { prompt: 'not yours either' });
  await updateTask(env.api, key, t.t1!, { status: 'completed', result: 'done' });
  await updateTask(env.api, key, t.t2!, { status: 'failed', error_message: 'boom' });
  await updateTask(env.api, key, t.t3!, { status: 'completed', result: 'done' });
  await updateTask(env.api, key, t.t5!, { status: 'processing' });
  await updateTask(env.api, key, t.t6!, { status: 'completed', result: 'done' });
  const deleted = await env.api.delete(`/v1/tasks/tasks/${t.t8}`, { token: key });
  assert.equal(deleted.status, 200, deleted.text);
  clock.set('2025-03-02T15:00:00Z');
});
after(() => env?.close());

async function getOk(path: string, token = key) {
  const res = await env.api.get(path, { token });
  assert.equal(res.status, 200, `${path} → ${res.status} ${res.text}`);
  return res.body;
}
const ids = (tasks: { task_id: string }[]) => tasks.map((task) => task.task_id);
const names = (...list: string[]) => list.map((name) => t[name]);

describe('GET /v1/dashboard/stats', () => {
  test('user_info, quota_info, task_stats, cost_estimate and recent_tasks', async () => {
    const body = await getOk('/v1/dashboard/stats');
    assert.deepEqual(Object.keys(body).sort(), [
      'cost_estimate',
      'quota_info',
      'recent_tasks',
      'task_stats',
      'user_info',
    ]);
    assert.deepEqual(body.user_info, {
      username: user.username,
      email: user.email,
      daily_limit: 20,
      api_key: `${key.slice(0, 8)}...`,
    });
    assert.deepEqual(body.quota_info, { used_today: 3, remaining_today: 17, daily_limit: 20 });
    // 3 completed of 7: 42.857… → 42.86.
    assert.deepEqual(body.task_stats, {
      total: 7,
      completed: 3,
      failed: 1,
      processing: 1,
      queued: 2,
      success_rate: 42.86,
    });
    assert.deepEqual(body.cost_estimate, { today: 0, monthly: 0, currency: 'USD' });

    assert.deepEqual(ids(body.recent_tasks), names('t7', 't6', 't5', 't4', 't3', 't2', 't1'));
    const byId = Object.fromEntries(body.recent_tasks.map((r: any) => [r.task_id, r]));
    for (const r of body.recent_tasks)
      assert.deepEqual(Object.keys(r).sort(), [
        'completed_at',
        'created_at',
        'prompt',
        'status',
        'task_id',
      ]);
    const expected: Record<string, string> = {
      t1: 'completed',
      t2: 'failed',
      t3: 'completed',
      t4: 'queued',
      t5: 'processing',
      t6: 'completed',
      t7: 'queued',
    };
    for (const [name, status] of Object.entries(expected)) {
      const r = byId[t[name]!];
      assert.equal(r.status, status, name);
      assert.equal(r.created_at, created[name], name);
      if (['completed', 'failed'].includes(status)) assert.match(r.completed_at, ISO, name);
      else assert.equal(r.completed_at, null, name);
    }
    assert.equal(byId[t.t1!].prompt, 'Analyze dataset t1');
    const short = byId[t.t7!].prompt;
    assert.ok(short.length <= 100, `${short.length} characters`);
    assert.ok(short.endsWith('...'), short);
    assert.ok(LONG_PROMPT.startsWith(short.slice(0, -3)), short);
  });

  test('a user without tasks: zeros, a success_rate of 0, no recent tasks', async () => {
    const fresh = await createUser(env.api, 'fresh');
    const body = await getOk('/v1/dashboard/stats', fresh.apiKey);
    assert.deepEqual(body.task_stats, {
      total: 0,
      completed: 0,
      failed: 0,
      processing: 0,
      queued: 0,
      success_rate: 0,
    });
    assert.deepEqual(body.quota_info, { used_today: 0, remaining_today: 20, daily_limit: 20 });
    assert.deepEqual(body.recent_tasks, []);
  });

  test('recent_tasks are the 10 newest', async () => {
    const busy = await createUser(env.api, 'busy');
    const mine: string[] = [];
    for (let i = 0; i < 12; i++) {
      mine.push(await createTask(env.api, busy.apiKey, { prompt: `task ${i}` }));
      clock.advance(1000);
    }
    const body = await getOk('/v1/dashboard/stats', busy.apiKey);
    assert.equal(body.task_stats.total, 12);
    assert.equal(body.task_stats.success_rate, 0);
    assert.deepEqual(ids(body.recent_tasks), mine.slice(2).reverse());
  });
});

describe('GET /v1/dashboard/tasks/history', () => {
  test('defaults: page 1, per_page 20, full task objects, newest first', async () => {
    const body = await getOk('/v1/dashboard/tasks/history');
    assert.deepEqual(Object.keys(body).sort(), ['pagination', 'tasks']);
    assert.deepEqual(body.pagination, { page: 1, per_page: 20, total: 7, pages: 1 });
    assert.deepEqual(ids(body.tasks), names('t7', 't6', 't5', 't4', 't3', 't2', 't1'));
    for (const task of body.tasks) {
      assert.deepEqual(Object.keys(task).sort(), TASK_KEYS);
      assert.equal(task.user_id, user.id);
    }
    const t2 = body.tasks.find((task: any) => task.task_id === t.t2);
    assert.equal(t2.status, 'failed');
    assert.equal(t2.error_message, 'boom');
    assert.equal(t2.created_at, created.t2);
    assert.equal(t2.prompt, 'Analyze dataset t2');
  });

  test('pages: total and pages, every task once, an empty page past the end', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const body = await getOk(`/v1/dashboard/tasks/history?page=${page}&per_page=3`);
      assert.deepEqual(body.pagination, { page, per_page: 3, total: 7, pages: 3 });
      assert.equal(body.tasks.length, page < 3 ? 3 : 1);
      seen.push(...ids(body.tasks));
    }
    assert.deepEqual(seen, names('t7', 't6', 't5', 't4', 't3', 't2', 't1'));
    const past = await getOk('/v1/dashboard/tasks/history?page=4&per_page=3');
    assert.deepEqual(past, { tasks: [], pagination: { page: 4, per_page: 3, total: 7, pages: 3 } });
    const two = await getOk('/v1/dashboard/tasks/history?per_page=2');
    assert.deepEqual(two.pagination, { page: 1, per_page: 2, total: 7, pages: 4 });
  });

  test('per_page above 100 is capped at 100', async () => {
    const body = await getOk('/v1/dashboard/tasks/history?per_page=500');
    assert.deepEqual(body.pagination, { page: 1, per_page: 100, total: 7, pages: 1 });
  });

  test('status filter, one per status word', async () => {
    const cases: [string, string[]][] = [
      ['completed', names('t6', 't3', 't1')],
      ['failed', names('t2')],
      ['processing', names('t5')],
      ['queued', names('t7', 't4')],
    ];
    for (const [status, expected] of cases) {
      const body = await getOk(`/v1/dashboard/tasks/history?status=${status}`);
      assert.deepEqual(ids(body.tasks), expected, status);
      assert.equal(body.pagination.total, expected.length, status);
      for (const task of body.tasks) assert.equal(task.status, status);
    }
  });

  test('from and to filter on created_at (a bare to date is the whole day)', async () => {
    const cases: [string, string[]][] = [
      ['from=2025-03-01', names('t7', 't6', 't5', 't4', 't3')],
      ['to=2025-02-27', names('t2', 't1')],
      ['to=2025-02-27T09:30:00Z', names('t1')],
      ['from=2025-02-28&to=2025-03-01', names('t4', 't3')],
      ['from=2025-03-02T00:00:00Z', names('t7', 't6', 't5')],
      // No offset: UTC, whatever the server's time zone.
      ['from=2025-03-02T10:30:00', names('t7', 't6')],
      ['from=2025-03-02T11:00:00%2B01:00', names('t7', 't6', 't5')],
      ['from=2025-03-01T09:00:00.000Z&to=2025-03-02T10:00:00.000Z', names('t5', 't4')],
      ['status=completed&from=2025-03-01', names('t6', 't3')],
      ['from=2025-03-03', []],
    ];
    for (const [query, expected] of cases) {
      const body = await getOk(`/v1/dashboard/tasks/history?${query}`);
      assert.deepEqual(ids(body.tasks), expected, query);
      assert.equal(body.pagination.total, expected.length, query);
      assert.equal(body.pagination.pages, expected.length ? 1 : 0, query);
    }
  });
});

describe('GET /v1/dashboard/usage', () => {
  const day = (date: string, total = 0, completed = 0, failed = 0) => ({
    date,
    total,
    completed,
    failed,
  });

  test('days=7: the period, a summary and one zero-filled entry per day', async () => {
    const body = await getOk('/v1/dashboard/usage?days=7');
    assert.deepEqual(Object.keys(body).sort(), [
      'daily_breakdown',
      'period',
      'quota_usage',
      'summary',
    ]);
    assert.deepEqual(body.period, { start_date: '2025-02-24', end_date: '2025-03-02', days: 7 });
    assert.deepEqual(body.summary, {
      total_tasks: 7,
      completed_tasks: 3,
      failed_tasks: 1,
      success_rate: 42.86,
    });
    assert.deepEqual(body.daily_breakdown, [
      day('2025-02-24'),
      day('2025-02-25'),
      day('2025-02-26'),
      day('2025-02-27', 2, 1, 1),
      day('2025-02-28'),
      day('2025-03-01', 2, 1, 0),
      day('2025-03-02', 3, 1, 0),
    ]);
    // Requests count every task created that day, the deleted t8 included.
    const requests = [0, 0, 0, 2, 0, 3, 3];
    assert.deepEqual(
      body.quota_usage,
      body.daily_breakdown.map((d: { date: string }, i: number) => ({
        date: d.date,
        requests: requests[i],
        limit: 20,
      })),
    );
  });

  test('days=2 and days=1 cover only the last days', async () => {
    const two = await getOk('/v1/dashboard/usage?days=2');
    assert.deepEqual(two.period, { start_date: '2025-03-01', end_date: '2025-03-02', days: 2 });
    assert.deepEqual(two.summary, {
      total_tasks: 5,
      completed_tasks: 2,
      failed_tasks: 0,
      success_rate: 40,
    });
    assert.deepEqual(two.daily_breakdown, [day('2025-03-01', 2, 1, 0), day('2025-03-02', 3, 1, 0)]);
    const one = await getOk('/v1/dashboard/usage?days=1');
    assert.deepEqual(one.daily_breakdown, [day('2025-03-02', 3, 1, 0)]);
    assert.deepEqual(one.quota_usage, [{ date: '2025-03-02', requests: 3, limit: 20 }]);
  });

  test('the default is 30 days; more than 365 is capped at 365', async () => {
    for (const [query, days, start] of [
      ['', 30, '2025-02-01'],
      ['?days=1000', 365, '2024-03-03'],
      ['?days=365', 365, '2024-03-03'],
    ] as const) {
      const body = await getOk(`/v1/dashboard/usage${query}`);
      assert.deepEqual(body.period, { start_date: start, end_date: '2025-03-02', days }, query);
      assert.equal(body.daily_breakdown.length, days, query);
      assert.equal(body.quota_usage.length, days, query);
      const dates = body.daily_breakdown.map((d: { date: string }) => d.date);
      assert.equal(dates[0], start, query);
      assert.equal(dates.at(-1), '2025-03-02', query);
      for (let i = 1; i < dates.length; i++)
        assert.equal(Date.parse(dates[i]) - Date.parse(dates[i - 1]), 24 * HOUR, dates[i]);
      assert.equal(body.summary.total_tasks, 7, query);
    }
  });

  test('a new UTC day: the quota resets and the period moves on', async () => {
    const saved = clock.now();
    try {
      clock.set('2025-03-03T00:00:01Z');
      const quota = await getOk('/v1/auth/quota');
      assert.deepEqual(quota, { daily_limit: 20, used_today: 0, remaining: 20 });
      const stats = await getOk('/v1/dashboard/stats');
      assert.deepEqual(stats.quota_info, { used_today: 0, remaining_today: 20, daily_limit: 20 });
      const usage = await getOk('/v1/dashboard/usage?days=2');
      assert.deepEqual(usage.daily_breakdown, [day('2025-03-02', 3, 1, 0), day('2025-03-03')]);
      assert.deepEqual(
        usage.quota_usage.map((q: { requests: number }) => q.requests),
        [3, 0],
      );
    } finally {
      clock.set(saved);
    }
  });
});

describe('bad query values and authentication', () => {
  test('bad query values are a 400 in {msg, error}', async () => {
    const paths = [
      '/v1/dashboard/tasks/history?per_page=abc',
      '/v1/dashboard/tasks/history?per_page=0',
      '/v1/dashboard/tasks/history?page=0',
      '/v1/dashboard/tasks/history?page=-1',
      '/v1/dashboard/tasks/history?page=abc',
      '/v1/dashboard/tasks/history?status=done',
      '/v1/dashboard/tasks/history?from=not-a-date',
      '/v1/dashboard/tasks/history?to=not-a-date',
      '/v1/dashboard/tasks/history?from=2025-02-30',
      '/v1/dashboard/tasks/history?to=2025-13-01',
      '/v1/dashboard/usage?days=0',
      '/v1/dashboard/usage?days=-5',
      '/v1/dashboard/usage?days=abc',
      '/v1/dashboard/usage?days=1.5',
    ];
    for (const path of paths) {
      const res = await env.api.get(path, { token: key });
      assertCodeepError(res, 400, path);
    }
  });

  test('401 without a token or with a bad one on every dashboard route', async () => {
    const variants: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not.a.jwt' },
      { authorization: `Token ${key}` },
      { 'x-api-key': `${key.slice(0, -2)}xx` },
    ];
    for (const path of [
      '/v1/dashboard/stats',
      '/v1/dashboard/tasks/history',
      '/v1/dashboard/usage',
    ]) {
      for (const headers of variants) {
        const res = await request(env.server.url, 'GET', path, undefined, { headers });
        assertCodeepError(res, 401, `${path} ${JSON.stringify(headers)}`);
      }
    }
  });
});
