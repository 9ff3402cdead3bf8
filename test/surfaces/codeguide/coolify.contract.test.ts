/**
 * CodeGuide's Coolify routes through the real server, against Coolify stand-ins on
 * 127.0.0.1 (test/helpers/coolify-standin.ts): not configured is 503; the installation's
 * instance (TASKLANE_COOLIFY_*) lists applications in the spec's shape and deploys;
 * a user's own credentials override it, their token sealed at rest, never returned nor
 * logged, invisible to other users; Coolify failing (401, down, 5xx, not JSON, too big,
 * a redirect, silence) is 502 and an unknown application 404; non-public addresses are
 * refused unless the operator allows them, also when DNS changes after the check.
 *
 * The main server allows 127.0.0.1/32 (TASKLANE_COOLIFY_ALLOW_NETWORKS) to reach the
 * stand-ins; the bare one allows nothing and has no installation instance.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { coolifyTokenAad } from '../../../src/core/deploys/deploys.service.ts';
import {
  type HostResolver,
  type ResolvedAddress,
  systemResolver,
} from '../../../src/core/shared/net-guard.ts';
import { type CoolifyStandin, startCoolifyStandin } from '../../helpers/coolify-standin.ts';
import type { Response } from '../../helpers/http.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import {
  assertError as assertClientError,
  type CgEnv,
  type CgUser,
  registerUser,
  startCodeGuide,
  UUID,
} from './support.ts';

const INSTALL_TOKEN = '1|installation-token-0123456789abcdef';
const USER_TOKEN = '7|users-own-token-fedcba9876543210';
const TIMEOUT_MS = 1500;
const MAX_BYTES = 65_536;

const INSTALL_APPS = [
  {
    uuid: 'k0wgso8ccs4sgk8wgw0c8g8o',
    name: 'web',
    description: 'the site',
    fqdn: 'https://web.example.com,https://www.example.com',
    status: 'running:healthy',
    build_pack: 'nixpacks',
    git_repository: 'acme/web',
    created_at: '2025-01-02T03:04:05.000000Z',
    updated_at: '2025-02-03T04:05:06.000000Z',
  },
  { uuid: 'x8c4kgog0sww4c0ok8g4sk4c', name: 'worker', fqdn: null, status: 'exited:unhealthy' },
];
const USER_APPS = [
  {
    uuid: 'u4ck0kgw8o0gsc8s44cokwos',
    name: 'mine',
    fqdn: 'http://mine.example.org',
    status: 'running:unknown',
    created_at: '2024-12-31T23:59:59.000000Z',
  },
];

let install: CoolifyStandin;
let own: CoolifyStandin;
let env: CgEnv;
let api: Client;
let alice: CgUser;
let bob: CgUser;
let bare: TestServer;
let bareApi: Client;
let carol: CgUser;

/** `rebind.test` resolves to a public address first, then to loopback. */
const rebind: string[] = [];
const addr = (address: string): ResolvedAddress => ({ address, family: 4 });
const resolver: HostResolver = async (host) =>
  host === 'rebind.test'
    ? [addr(rebind.length > 1 ? rebind.shift()! : rebind[0]!)]
    : systemResolver(host);

before(async () => {
  install = await startCoolifyStandin({ token: INSTALL_TOKEN, applications: INSTALL_APPS });
  own = await startCoolifyStandin({ token: USER_TOKEN, applications: USER_APPS });
  env = await startCodeGuide({
    workers: 0,
    env: {
      TASKLANE_COOLIFY_URL: install.url,
      TASKLANE_COOLIFY_TOKEN: INSTALL_TOKEN,
      TASKLANE_COOLIFY_ALLOW_NETWORKS: '127.0.0.1/32',
      TASKLANE_COOLIFY_TIMEOUT_MS: String(TIMEOUT_MS),
      TASKLANE_COOLIFY_MAX_RESPONSE_BYTES: String(MAX_BYTES),
    },
  });
  api = env.api;
  alice = await registerUser(api, 'alice');
  bob = await registerUser(api, 'bob');
  bare = await startServer({ resolver });
  bareApi = client(bare.url);
  carol = await registerUser(bareApi, 'carol');
});
after(async () => {
  await env?.close();
  await bare?.close();
  await install?.close();
  await own?.close();
});

/** CodeGuide's `{detail}` at any status (assertError in support.ts takes 4xx only). */
function assertError(res: Response, status: number, detail?: RegExp): void {
  if (status < 500) {
    assertClientError(res, status, detail);
    return;
  }
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  assert.deepEqual(Object.keys(res.body), ['detail'], res.text);
  assert.equal(typeof res.body.detail, 'string', res.text);
  if (detail) assert.match(res.body.detail, detail);
}

const credentials = (who: CgUser, body: Record<string, unknown>, on = api) =>
  on.put('/v1/coolify/credentials', body, who.auth);
const deploy = (who: CgUser, body: Record<string, unknown>, on = api) =>
  on.post('/v1/coolify/deploy', body, who.auth);
const db = () => env.server.runtime.database.db;

test('not configured: 503 {detail} on both spec routes, and the credentials say so', async () => {
  assertError(await bareApi.get('/v1/coolify/applications', carol.auth), 503, /not configured/);
  assertError(
    await deploy(carol, { application_id: 'abc', environment: 'production', config: {} }, bareApi),
    503,
    /not configured/,
  );
  const res = await bareApi.get('/v1/coolify/credentials', carol.auth);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, {
    status: 'success',
    configured: false,
    base_url: null,
    source: null,
  });
});

test('without credentials every Coolify route is 401 {detail}', async () => {
  for (const res of [
    await api.get('/v1/coolify/applications'),
    await api.post('/v1/coolify/deploy', { application_id: INSTALL_APPS[0]!.uuid }),
    await api.put('/v1/coolify/credentials', { base_url: own.url, token: USER_TOKEN }),
    await api.get('/v1/coolify/credentials'),
    await api.delete('/v1/coolify/credentials'),
    await api.get('/v1/coolify/applications', { headers: { 'x-api-key': 'tl_nope' } }),
  ])
    assertError(res, 401);
  assert.equal(install.requests.length, 0, 'nothing reached Coolify');
});

test("installation settings: the applications in the spec's shape, field by field", async () => {
  const res = await api.get('/v1/coolify/applications', alice.auth);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, {
    status: 'success',
    data: [
      {
        id: 'k0wgso8ccs4sgk8wgw0c8g8o',
        name: 'web',
        status: 'running:healthy',
        url: 'https://web.example.com',
        created_at: '2025-01-02T03:04:05.000Z',
      },
      {
        id: 'x8c4kgog0sww4c0ok8g4sk4c',
        name: 'worker',
        status: 'exited:unhealthy',
        url: '',
        created_at: null,
      },
    ],
  });
  assert.deepEqual(install.requests.at(-1), {
    method: 'GET',
    path: '/api/v1/applications',
    query: {},
    authorization: `Bearer ${INSTALL_TOKEN}`,
  });
  const info = await api.get('/v1/coolify/credentials', alice.auth);
  assert.deepEqual(info.body, {
    status: 'success',
    configured: true,
    base_url: install.url,
    source: 'installation',
  });
});

test('deploy: 200 with Coolify’s deployment uuid; Coolify saw the call; the deployment is recorded', async () => {
  const before = install.requests.length;
  const res = await deploy(alice, {
    application_id: INSTALL_APPS[0]!.uuid,
    environment: 'production',
    config: { branch: 'main', replicas: 2 },
  });
  assert.equal(res.status, 200, res.text);
  const started = install.deployments.at(-1)!;
  assert.deepEqual(res.body, {
    status: 'success',
    deployment_id: started.deploymentUuid,
    message: 'Deployment started',
  });
  assert.deepEqual(install.requests.slice(before), [
    {
      method: 'POST',
      path: `/api/v1/applications/${INSTALL_APPS[0]!.uuid}/start`,
      query: { force: 'false' },
      authorization: `Bearer ${INSTALL_TOKEN}`,
    },
  ]);
  const row = await db()
    .selectFrom('coolify_deployments')
    .selectAll()
    .where('coolify_deployment_uuid', '=', started.deploymentUuid)
    .executeTakeFirstOrThrow();
  const user = await db()
    .selectFrom('users')
    .select(['id', 'tenant_id'])
    .where('uuid', '=', alice.uuid)
    .executeTakeFirstOrThrow();
  assert.match(row.id, UUID);
  assert.equal(row.user_id, user.id);
  assert.equal(row.tenant_id, user.tenant_id);
  assert.equal(row.application_id, INSTALL_APPS[0]!.uuid);
  assert.equal(row.environment, 'production');
  assert.deepEqual(JSON.parse(row.config), { branch: 'main', replicas: 2 });
  assert.equal(row.status, 'queued');
  assert.equal(row.source, 'installation');
  assert.equal(row.base_url, install.url);

  // config.force rebuilds without cache; anything but a boolean there is a 422.
  const forced = await deploy(alice, {
    application_id: INSTALL_APPS[1]!.uuid,
    config: { force: true },
  });
  assert.equal(forced.status, 200, forced.text);
  assert.equal(install.deployments.at(-1)!.force, 'true');
  assertError(
    await deploy(alice, { application_id: INSTALL_APPS[1]!.uuid, config: { force: 'yes' } }),
    422,
    /config\.force/,
  );
});

test('an application Coolify does not have is 404 {detail}', async () => {
  const before = install.deployments.length;
  assertError(await deploy(alice, { application_id: 'nosuchapp' }), 404, /nosuchapp.*not found/);
  assert.equal(install.deployments.length, before);
  const rows = await db()
    .selectFrom('coolify_deployments')
    .select('id')
    .where('application_id', '=', 'nosuchapp')
    .execute();
  assert.deepEqual(rows, [], 'nothing recorded');
});

test('bad values are 422 {detail} and reach neither Coolify nor the database', async () => {
  const before = install.requests.length;
  for (const body of [
    { application_id: 'x'.repeat(101) },
    { application_id: 'a,b' }, // Coolify's /deploy takes comma lists: never pass one on
    { application_id: '../../servers' },
    { application_id: '' },
    { application_id: 'abc', environment: 'e'.repeat(101) },
    {
      application_id: 'abc',
      config: Object.fromEntries([...Array(101)].map((_, i) => [`k${i}`, i])),
    },
  ])
    assertError(await deploy(alice, body), 422);
  for (const body of [
    { base_url: 'ftp://coolify.example.com', token: USER_TOKEN },
    { base_url: 'not a url', token: USER_TOKEN },
    { base_url: 'https://user:pw@coolify.example.com', token: USER_TOKEN },
    { base_url: 'https://coolify.example.com/?a=1', token: USER_TOKEN },
    { base_url: `https://coolify.example.com/${'p'.repeat(2000)}`, token: USER_TOKEN },
    { base_url: own.url, token: 'has a space' },
    { base_url: own.url, token: 't'.repeat(1001) },
  ]) {
    const res = await credentials(alice, body);
    assertError(res, 422);
    assert.ok(!res.text.includes(body.token), 'the token is not echoed');
  }
  assert.equal(install.requests.length, before);
  assert.equal(own.requests.length, 0);
  const saved = await db().selectFrom('coolify_credentials').select('user_id').execute();
  assert.deepEqual(saved, []);
});

test('a user’s own credentials override the installation’s: sealed at rest, never returned, never logged', async () => {
  const saved = await credentials(alice, { base_url: `${own.url}/`, token: USER_TOKEN });
  assert.equal(saved.status, 200, saved.text);
  assert.deepEqual(saved.body, {
    status: 'success',
    configured: true,
    base_url: own.url,
    source: 'user',
  });
  const installCalls = install.requests.length;
  const list = await api.get('/v1/coolify/applications', alice.auth);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.body.data, [
    {
      id: 'u4ck0kgw8o0gsc8s44cokwos',
      name: 'mine',
      status: 'running:unknown',
      url: 'http://mine.example.org',
      created_at: '2024-12-31T23:59:59.000Z',
    },
  ]);
  assert.equal(own.requests.at(-1)!.authorization, `Bearer ${USER_TOKEN}`);
  assert.equal(install.requests.length, installCalls, 'the installation was not asked');

  const res = await deploy(alice, { application_id: USER_APPS[0]!.uuid, environment: 'staging' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.deployment_id, own.deployments.at(-1)!.deploymentUuid);
  const record = await db()
    .selectFrom('coolify_deployments')
    .select(['source', 'base_url'])
    .where('coolify_deployment_uuid', '=', res.body.deployment_id)
    .executeTakeFirstOrThrow();
  assert.deepEqual({ ...record }, { source: 'user', base_url: own.url });

  // At rest: sealed, bound to the user and the URL.
  const rows = await db().selectFrom('coolify_credentials').selectAll().execute();
  assert.equal(rows.length, 1);
  assert.ok(!JSON.stringify(rows).includes(USER_TOKEN), 'no plaintext token in the row');
  assert.ok(!JSON.stringify(rows).includes(USER_TOKEN.slice(2, 20)));
  const box = env.server.runtime.keys.box;
  assert.equal(box.open(rows[0]!.token_sealed, coolifyTokenAad(alice.uuid, own.url)), USER_TOKEN);
  assert.throws(() => box.open(rows[0]!.token_sealed, coolifyTokenAad(bob.uuid, own.url)));
  assert.throws(() => box.open(rows[0]!.token_sealed, coolifyTokenAad(alice.uuid, install.url)));

  // Never returned.
  const info = await api.get('/v1/coolify/credentials', alice.auth);
  assert.deepEqual(info.body, {
    status: 'success',
    configured: true,
    base_url: own.url,
    source: 'user',
  });
  for (const text of [saved.text, list.text, res.text, info.text])
    assert.ok(!text.includes(USER_TOKEN));

  // Another user never sees them: Bob still uses (and sees) the installation's.
  const bobs = await api.get('/v1/coolify/credentials', bob.auth);
  assert.deepEqual(bobs.body, {
    status: 'success',
    configured: true,
    base_url: install.url,
    source: 'installation',
  });
  const bobList = await api.get('/v1/coolify/applications', bob.auth);
  assert.deepEqual(
    bobList.body.data.map((a: { id: string }) => a.id),
    INSTALL_APPS.map((a) => a.uuid),
  );
  assertError(await api.delete('/v1/coolify/credentials', bob.auth), 404);
  assertError(await deploy(bob, { application_id: USER_APPS[0]!.uuid }), 404);
  assert.equal((await api.get('/v1/coolify/credentials', alice.auth)).body.source, 'user');

  // Deleting them falls back to the installation.
  const deleted = await api.delete('/v1/coolify/credentials', alice.auth);
  assert.deepEqual(deleted.body, { status: 'success', message: 'Coolify credentials deleted' });
  assert.equal((await api.get('/v1/coolify/credentials', alice.auth)).body.source, 'installation');
  assert.equal(
    (await api.get('/v1/coolify/applications', alice.auth)).body.data[0].id,
    INSTALL_APPS[0]!.uuid,
  );
  assertError(await api.delete('/v1/coolify/credentials', alice.auth), 404);

  // No token in any log line.
  const logs = env.server.logs.join('\n');
  assert.ok(logs.length > 0);
  for (const token of [USER_TOKEN, INSTALL_TOKEN]) assert.ok(!logs.includes(token), 'token logged');
});

test('Coolify refusing the token is 502 {detail} saying so', async () => {
  await credentials(alice, { base_url: own.url, token: 'wrong-token' });
  assertError(
    await api.get('/v1/coolify/applications', alice.auth),
    502,
    /Coolify refused the saved Coolify API token \(HTTP 401: Unauthenticated\.\)/,
  );
  assertError(
    await deploy(alice, { application_id: USER_APPS[0]!.uuid }),
    502,
    /refused the saved Coolify API token/,
  );
  await api.delete('/v1/coolify/credentials', alice.auth);
  install.answerWith({ status: 403, body: { message: 'You are not allowed to access the API.' } });
  try {
    assertError(
      await api.get('/v1/coolify/applications', alice.auth),
      502,
      /installation's Coolify API token \(TASKLANE_COOLIFY_TOKEN\)/,
    );
  } finally {
    install.reset();
  }
});

test('Coolify down is 502 {detail}', async () => {
  const gone = await startCoolifyStandin({ token: USER_TOKEN });
  await gone.close();
  await credentials(alice, { base_url: gone.url, token: USER_TOKEN });
  try {
    assertError(
      await api.get('/v1/coolify/applications', alice.auth),
      502,
      /cannot be reached \(ECONNREFUSED\)/,
    );
    assertError(await deploy(alice, { application_id: 'abc' }), 502, /cannot be reached/);
  } finally {
    await api.delete('/v1/coolify/credentials', alice.auth);
  }
});

test('Coolify answering 5xx, non-JSON, too much, a redirect or nothing is 502 {detail}', async () => {
  const cases: [Parameters<CoolifyStandin['answerWith']>[0], RegExp][] = [
    [{ status: 500, body: { message: 'Server Error' } }, /answered HTTP 500: Server Error/],
    [{ status: 503, body: '<html>maintenance</html>' }, /answered HTTP 503/],
    [{ status: 200, body: '<html>not json</html>' }, /not JSON/],
    [{ status: 200, body: { applications: [] } }, /not a JSON array/],
    [{ status: 200, body: `[${'"x",'.repeat(MAX_BYTES / 4)}"x"]` }, /more than 65536 bytes/],
    [
      { status: 302, headers: { location: `${install.url}/elsewhere` }, body: '' },
      /redirect \(HTTP 302 to .*\/elsewhere\); redirects are not followed/,
    ],
    [{ hang: true }, new RegExp(`did not answer within ${TIMEOUT_MS} ms`)],
  ];
  try {
    for (const [answer, detail] of cases) {
      install.answerWith(answer);
      assertError(await api.get('/v1/coolify/applications', alice.auth), 502, detail);
    }
    install.answerWith({ status: 200, body: '{"message": "no uuid here"' });
    assertError(await deploy(alice, { application_id: 'abc' }), 502, /not JSON/);
  } finally {
    install.reset();
  }
  assert.ok(
    !install.requests.some((r) => r.path === '/elsewhere'),
    'the redirect was not followed',
  );
  assert.ok(!env.server.logs.some((line) => line.includes('"level":50')), 'no error was logged');
  const warned = (text: string) =>
    env.server.logs.some((line) => line.includes('"level":40') && line.includes(text));
  assert.ok(warned('answered HTTP 500'), 'upstream failures are logged as warnings');
  assert.ok(warned('did not answer within'));
});

test('non-public addresses are refused unless allowed, also after a DNS change', async () => {
  // The bare server allows no private network: saving one is a 422, nothing is sent.
  const seen = own.requests.length;
  for (const base of [
    own.url,
    `http://localhost:${own.port}`,
    'http://[::1]:8000',
    'http://10.1.2.3',
  ])
    assertError(
      await credentials(carol, { base_url: base, token: USER_TOKEN }, bareApi),
      422,
      /non-public address.*TASKLANE_COOLIFY_ALLOW_PRIVATE/,
    );
  assert.equal(own.requests.length, seen);

  // A name that was public when saved and points inside later is refused when called.
  rebind.splice(0, rebind.length, '8.8.8.8', '127.0.0.1');
  const saved = await credentials(
    carol,
    { base_url: `http://rebind.test:${own.port}`, token: USER_TOKEN },
    bareApi,
  );
  assert.equal(saved.status, 200, saved.text);
  assertError(
    await bareApi.get('/v1/coolify/applications', carol.auth),
    502,
    /rebind\.test.* is refused: rebind\.test resolves to 127\.0\.0\.1, a loopback address/,
  );
  assert.equal(own.requests.length, seen, 'the stand-in was never reached');

  // The main server allows 127.0.0.1/32 only: 127.0.0.2 is still refused.
  assertError(
    await credentials(alice, { base_url: `http://127.0.0.2:${own.port}`, token: USER_TOKEN }),
    422,
    /127\.0\.0\.2 is a loopback address/,
  );
});
