/**
 * `GET /api-usage-logs`: every authenticated request (any surface) is logged under its
 * route pattern (never the concrete path), with method, status and response time;
 * each user sees only their own; filters by date, endpoint and method; limit.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertError,
  type CgEnv,
  type CgUser,
  ISO,
  MISSING_ID,
  registerUser,
  startCodeGuide,
  UUID,
  waitFor,
} from './support.ts';

let env: CgEnv;
let user: CgUser;
let other: CgUser;

before(async () => {
  env = await startCodeGuide({ workers: 0 });
  user = await registerUser(env.api, 'logs');
  other = await registerUser(env.api, 'logsother');
});
after(() => env?.close());

const logsOf = async (who: CgUser, query = '') => {
  const res = await env.api.get(`/v1/api-usage-logs${query}`, who.auth);
  assert.equal(res.status, 200, res.text);
  return res.body.data as Record<string, unknown>[];
};

test('requests are logged with the route pattern, method, status and response time', async () => {
  await env.api.get('/v1/usage/credit-balance', user.auth);
  await env.api.get(`/v1/codespace/tasks/${MISSING_ID}`, user.auth);
  await env.api.get('/v1/usage/credit-balance'); // anonymous: not logged
  const logs = await waitFor('the logged requests', async () => {
    const found = await logsOf(user, '?endpoint=/v1/codespace/tasks/:task_id');
    return found.length === 1 ? found : undefined;
  });
  const [entry] = logs;
  assert.match(String(entry!.id), UUID);
  assert.match(String(entry!.timestamp), ISO);
  assert.equal(typeof entry!.response_time, 'number');
  assert.ok((entry!.response_time as number) >= 0);
  const { id, timestamp, response_time, ...rest } = entry!;
  assert.deepEqual(rest, {
    user_id: user.uuid,
    endpoint: '/v1/codespace/tasks/:task_id',
    method: 'GET',
    status_code: 404,
  });

  const balance = await waitFor('the balance request', async () => {
    const found = await logsOf(user, '?endpoint=/v1/usage/credit-balance&method=get');
    return found.length === 1 ? found : undefined;
  });
  assert.equal(balance[0]!.status_code, 200);

  const all = await logsOf(user);
  assert.ok(all.length >= 2);
  // Newest first.
  const times = all.map((l) => String(l.timestamp));
  assert.deepEqual(times, [...times].sort().reverse());
  assert.equal((await logsOf(user, '?limit=1')).length, 1);
  assert.deepEqual(await logsOf(user, '?method=DELETE'), []);
  assert.deepEqual(await logsOf(user, '?start_date=2999-01-01'), []);
  assert.deepEqual(await logsOf(user, '?end_date=2000-01-01'), []);
  const today = new Date().toISOString().slice(0, 10);
  assert.ok((await logsOf(user, `?start_date=${today}&end_date=${today}`)).length >= 2);

  // The other user's requests and log are theirs alone.
  const theirs = await logsOf(other);
  assert.ok(theirs.every((l) => l.user_id === other.uuid));
  assert.ok(!theirs.some((l) => l.endpoint === '/v1/codespace/tasks/:task_id'));
});

test("requests on every surface are logged, under each surface's route pattern", async () => {
  assert.equal((await env.api.get('/v1/auth/me', user.auth)).status, 200); // Codeep
  assert.equal((await env.api.get('/users/me', user.auth)).status, 200); // AutoServe
  assert.equal((await env.api.get('/cmb/users/me', user.auth)).status, 200); // CMBCluster
  const logged = await logsOf(user, '?limit=1000');
  for (const endpoint of ['/v1/auth/me', '/users/me', '/cmb/users/me'])
    assert.ok(
      logged.some((l) => l.endpoint === endpoint && l.status_code === 200),
      `${endpoint} is in the log`,
    );
});

test('bad filters are 422 and no credentials 401', async () => {
  for (const q of [
    'limit=0',
    'limit=1001',
    'limit=abc',
    'start_date=2025-02-30',
    'end_date=tomorrow',
    'method=G3T',
    'start_date=2025-03-02&end_date=2025-03-01',
  ])
    assertError(await env.api.get(`/v1/api-usage-logs?${q}`, user.auth), 422);
  assertError(await env.api.get('/v1/api-usage-logs'), 401);
});
