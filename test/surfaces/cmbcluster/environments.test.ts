/**
 * CMBCluster environments that really run: the spec's image starts a sandboxed HTTP
 * server over the user's workspace, reachable through its `url` by its owner only, gone
 * after DELETE, after the uptime limit, after idling; limits per tier; contract fields.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../src/core/shared/clock.ts';
import { checkBadInput } from '../../helpers/bad-input.ts';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser, type TestUser } from '../../helpers/users.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const IMAGE = 'borisbolliet/cmbagent-ui:latest';
const MINUTE = 60_000;
let server: TestServer;
let api: Client;
let clock: ManualClock;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  clock = new ManualClock();
  server = await startServer({
    clock,
    env: {
      TASKLANE_ACCESS_TOKEN_TTL: String(30 * 86_400),
      TASKLANE_TASKASSISTANT_ACCESS_TOKEN_TTL: String(30 * 86_400),
      TASKLANE_ENV_CULL_INTERVAL_MS: '200',
      TASKLANE_ENV_IDLE_TIMEOUT_MINUTES: '30',
      TASKLANE_ENV_MAX_CONCURRENT_PRO: '2',
    },
  });
  api = client(server.url);
  alice = await createUser(api, 'env_a');
  bob = await createUser(api, 'env_b');
});
after(() => server.close());

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function statusOf(user: TestUser, envId: string): Promise<string> {
  const res = await api.get(`/cmb/environments/${envId}/info`, { token: user.token });
  return res.body.data.environment.status;
}

async function startRunning(user: TestUser): Promise<{ env_id: string; url: string }> {
  const res = await api.post('/cmb/environments', { image: IMAGE }, { token: user.token });
  assert.equal(res.status, 201, res.text);
  const env = res.body.data;
  await until(`${env.env_id} running`, async () =>
    (await statusOf(user, env.env_id)) === 'running' ? true : undefined,
  );
  return env;
}

function upload(user: TestUser, name: string, content: string) {
  const form = new FormData();
  form.append('file', new Blob([content]), name);
  return fetch(`${server.url}/cmb/user-files/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
    body: form,
  });
}

const actionsOf = async (user: TestUser) =>
  (await api.get('/cmb/activity', { token: user.token })).body.data.activities.map(
    (a: { action: string }) => a.action,
  );

describe('an environment that really runs', () => {
  let envId: string;
  let url: string;

  test('POST /environments: 201 {status: created, data: env_id, pod_name, status, created_at, url}', async () => {
    assert.equal((await upload(alice, 'notes.txt', 'hello from the workspace')).status, 200);
    const res = await api.post('/cmb/environments', { image: IMAGE }, { token: alice.token });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.status, 'created');
    assert.match(res.body.timestamp, ISO);
    const env = res.body.data;
    assert.deepEqual(Object.keys(env).sort(), [
      'created_at',
      'env_id',
      'pod_name',
      'status',
      'url',
    ]);
    assert.match(env.env_id, /^env-[0-9a-f]{12}$/);
    assert.match(env.pod_name, new RegExp(`-${env.env_id}$`));
    assert.equal(env.status, 'creating');
    assert.match(env.created_at, ISO);
    assert.equal(env.url, `${server.url}/cmb/environments/${env.env_id}/`);
    envId = env.env_id;
    url = env.url;
  });

  test('it becomes running once it answers, and serves the workspace through its url', async () => {
    await until('running', async () =>
      (await statusOf(alice, envId)) === 'running' ? true : undefined,
    );
    const page = await fetch(url, { headers: { authorization: `Bearer ${alice.token}` } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /notes\.txt/);
    assert.match(page.headers.get('content-security-policy') ?? '', /sandbox/);
    const file = await fetch(`${url}notes.txt`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(await file.text(), 'hello from the workspace');
    // Uploads made while it runs are visible to it: one directory.
    await upload(alice, 'later.txt', 'added later');
    const later = await fetch(`${url}later.txt`, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(await later.text(), 'added later');
  });

  test('GET /environments and /environments/list show it; info has the uptime fields', async () => {
    const active = await api.get('/cmb/environments', { token: alice.token });
    assert.equal(active.status, 200);
    assert.equal(active.body.data.active, true);
    assert.equal(active.body.data.environment.env_id, envId);
    assert.equal(active.body.data.environment.status, 'running');
    const list = await api.get('/cmb/environments/list', { token: alice.token });
    assert.equal(list.body.data.environments[0].env_id, envId);
    clock.advance(5 * MINUTE);
    const info = await api.get(`/cmb/environments/${envId}/info`, { token: alice.token });
    assert.equal(info.status, 200);
    assert.deepEqual(Object.keys(info.body.data).sort(), [
      'auto_shutdown_enabled',
      'environment',
      'max_uptime_minutes',
      'subscription_tier',
      'time_until_shutdown_minutes',
      'uptime_minutes',
    ]);
    assert.equal(info.body.data.uptime_minutes, 5);
    assert.equal(info.body.data.max_uptime_minutes, 60);
    assert.equal(info.body.data.auto_shutdown_enabled, true);
    assert.equal(info.body.data.time_until_shutdown_minutes, 55);
    assert.equal(info.body.data.subscription_tier, 'free');
  });

  test('another user: 404 on its info, its url and its delete; a malformed id is 400', async () => {
    const info = await api.get(`/cmb/environments/${envId}/info`, { token: bob.token });
    assert.equal(info.status, 404);
    assertErrorShape('cmbcluster', info);
    const proxied = await api.get(`/cmb/environments/${envId}/notes.txt`, { token: bob.token });
    assert.equal(proxied.status, 404);
    const del = await api.delete(`/cmb/environments?env_id=${envId}`, { token: bob.token });
    assert.equal(del.status, 404);
    const bad = await api.get('/cmb/environments/not-an-env/info', { token: alice.token });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.detail, 'Invalid environment ID format');
    assert.equal(bad.body.error_code, 'BAD_REQUEST');
    assert.equal((await api.get(`/cmb/environments/${envId}/`)).status, 401);
  });

  test('a free user may run one at a time: the next is a 429 in the spec shape', async () => {
    const res = await api.post('/cmb/environments', { image: IMAGE }, { token: alice.token });
    assert.equal(res.status, 429);
    assert.equal(res.body.error_code, 'RATE_LIMITED');
    assertErrorShape('cmbcluster', res);
  });

  test('DELETE stops it (the url is gone), keeps the workspace; it stays listed as stopped', async () => {
    const res = await api.delete('/cmb/environments', { token: alice.token });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'deleted');
    assert.equal(res.body.message, 'Environment deleted successfully');
    assert.equal(await statusOf(alice, envId), 'stopped');
    const gone = await fetch(url, { headers: { authorization: `Bearer ${alice.token}` } });
    assert.equal(gone.status, 404);
    const list = await api.get('/cmb/environments/list', { token: alice.token });
    const listed = list.body.data.environments.find((e: { env_id: string }) => e.env_id === envId);
    assert.equal(listed.status, 'stopped');
    assert.equal(listed.url, null);
    const files = await api.get('/cmb/user-files', { token: alice.token });
    assert.ok(files.body.data.files.some((f: { filename: string }) => f.filename === 'notes.txt'));
    const none = await api.get('/cmb/environments', { token: alice.token });
    assert.deepEqual(none.body.data, { active: false, environment: null });
    assert.equal((await api.delete('/cmb/environments', { token: alice.token })).status, 404);
    const actions = await actionsOf(alice);
    assert.ok(actions.includes('environment_created'));
    assert.ok(actions.includes('environment_started'));
    assert.ok(actions.includes('environment_stopped'));
  });
});

describe('the culler', () => {
  test("stops an environment past its tier's uptime limit (heartbeats do not help)", async () => {
    const env = await startRunning(alice);
    for (let i = 0; i < 3; i++) {
      clock.advance(21 * MINUTE);
      assert.equal(
        (await api.post('/cmb/environments/heartbeat', undefined, { token: alice.token })).status,
        200,
      );
    }
    await until('culled', async () =>
      (await statusOf(alice, env.env_id)) === 'stopped' ? true : undefined,
    );
    const gone = await fetch(env.url, { headers: { authorization: `Bearer ${alice.token}` } });
    assert.equal(gone.status, 404);
    const activity = (await api.get('/cmb/activity', { token: alice.token })).body.data.activities;
    const culled = activity.find((a: { action: string }) => a.action === 'environment_culled');
    assert.match(culled.details, /uptime limit/);
  });

  test('stops an idle environment; a heartbeat resets the idle timer', async () => {
    const env = await startRunning(alice);
    clock.advance(20 * MINUTE);
    const beat = await api.post('/cmb/environments/heartbeat', undefined, { token: alice.token });
    assert.deepEqual(
      { status: beat.body.status, message: beat.body.message },
      { status: 'success', message: 'Heartbeat received' },
    );
    clock.advance(20 * MINUTE);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // several culler sweeps
    assert.equal(await statusOf(alice, env.env_id), 'running');
    clock.advance(11 * MINUTE);
    await until('idle-culled', async () =>
      (await statusOf(alice, env.env_id)) === 'stopped' ? true : undefined,
    );
    const activity = (await api.get('/cmb/activity', { token: alice.token })).body.data.activities;
    assert.match(
      activity.find((a: { action: string }) => a.action === 'environment_culled').details,
      /idle/,
    );
  });
});

describe('limits per tier', () => {
  test('simultaneous creates cannot pass the limit (pro: 2)', async () => {
    const carol = await createUser(api, 'env_c');
    await server.runtime.database.db
      .updateTable('users')
      .set({ tier: 'pro' })
      .where('id', '=', carol.id)
      .execute();
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        api.post('/cmb/environments', { image: IMAGE }, { token: carol.token }),
      ),
    );
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 429, 429]);

    // Admins see them, with the spec's fields.
    const admin = await createUser(api, 'env_admin');
    await server.runtime.database.db
      .updateTable('users')
      .set({ role: 'admin' })
      .where('id', '=', admin.id)
      .execute();
    const all = await api.get('/cmb/admin/environments', { token: admin.token });
    assert.equal(all.status, 200);
    const carolsId = (await api.get('/cmb/users/me', { token: carol.token })).body.data.id;
    const carols = all.body.data.environments.filter(
      (e: { user_id: string }) => e.user_id === carolsId,
    );
    assert.equal(carols.length, 2);
    for (const e of carols) {
      assert.deepEqual(Object.keys(e).sort(), [
        'created_at',
        'env_id',
        'pod_name',
        'status',
        'user_id',
      ]);
      assert.equal(e.pod_name, `${carolsId}-${e.env_id}`);
    }
    for (const r of results.filter((r) => r.status === 201)) {
      const del = await api.delete(`/cmb/environments?env_id=${r.body.data.env_id}`, {
        token: carol.token,
      });
      assert.equal(del.status, 200);
    }
  });
});

describe('failures, restarts and input', () => {
  test('a crash moves it to failed with the reason; its variables were injected; its time is metered', async () => {
    const set = await api.post(
      '/cmb/user-env-vars',
      { key: 'MY_SECRET', value: "injected-value with 'quotes' and\nnewline" },
      { token: bob.token },
    );
    assert.equal(set.status, 200);
    const env = await startRunning(bob);
    const victim = fs
      .readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .find((pid) => {
        try {
          return (
            fs
              .readFileSync(`/proc/${pid}/environ`, 'utf8')
              .includes(`TASKLANE_ENV_ID=${env.env_id}`) &&
            fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('serve.py')
          );
        } catch {
          return false;
        }
      });
    assert.ok(victim, "the environment's process is found");
    assert.match(
      fs.readFileSync(`/proc/${victim}/environ`, 'utf8'),
      /(^|\0)MY_SECRET=injected-value with 'quotes' and\nnewline\0/,
    );
    process.kill(Number(victim), 'SIGKILL');
    await until('failed', async () =>
      (await statusOf(bob, env.env_id)) === 'failed' ? true : undefined,
    );
    const activity = (await api.get('/cmb/activity', { token: bob.token })).body.data.activities;
    const failed = activity.find((a: { action: string }) => a.action === 'environment_failed');
    assert.equal(failed.status, 'failure');
    assert.match(failed.details, /killed|SIGKILL|exited/);
    const metered = await until('metered', async () => {
      const row = await server.runtime.database.db
        .selectFrom('usage_records')
        .select('duration_ms')
        .where('user_id', '=', bob.id)
        .where('kind', '=', 'sandbox')
        .executeTakeFirst();
      return row;
    });
    assert.ok(metered.duration_ms > 0);
  });

  test('after a restart, environments whose process is gone are stopped, never shown running', async () => {
    const me = (await api.get('/cmb/users/me', { token: bob.token })).body.data.id;
    const user = await server.runtime.database.db
      .selectFrom('users')
      .select(['id', 'tenant_id'])
      .where('uuid', '=', me)
      .executeTakeFirstOrThrow();
    const now = clock.now();
    await server.runtime.database.db
      .insertInto('cmb_environments')
      .values({
        id: 'env-0123456789ab',
        tenant_id: user.tenant_id,
        user_id: user.id,
        image: IMAGE,
        profile: 'python-http',
        application_id: null,
        name: null,
        description: null,
        status: 'running',
        status_reason: null,
        host_id: `${(await import('node:os')).hostname()}|999999999|1`,
        created_at: now,
        started_at: now,
        stopped_at: null,
        last_activity_at: now,
        updated_at: now,
      })
      .execute();
    await server.runtime.environments.open();
    assert.equal(await statusOf(bob, 'env-0123456789ab'), 'stopped');
  });

  test('an unknown image is a 400; bad bodies are 4xx in the spec shape', async () => {
    const res = await api.post('/cmb/environments', { image: 'nope:latest' }, { token: bob.token });
    assert.equal(res.status, 400);
    assertErrorShape('cmbcluster', res);
    await checkBadInput(
      server.url,
      {
        shape: 'cmbcluster',
        method: 'POST',
        path: '/cmb/environments',
        valid: { image: 'nope:latest', application_id: 'app-123', config: { name: 'n' } },
        required: ['image'],
        token: bob.token,
      },
      1_048_576,
    );
  });
});
