/**
 * GET /metrics is no longer open to the world in production: TASKLANE_METRICS_ACCESS
 * (`public` | `loopback` | `token`) and TASKLANE_METRICS_TOKEN decide, and refusals are
 * 401 (a token would do) or 403 in AutoServe's error shape. Requests arrive through a
 * trusted proxy (TASKLANE_TRUST_PROXY) so that X-Forwarded-For can make a client remote.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertErrorShape } from '../helpers/error-shapes.ts';
import { type Client, client } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TOKEN = 'metrics-token-0123456789abcdef';
const REMOTE = { 'x-forwarded-for': '203.0.113.7' };
const servers: TestServer[] = [];

async function start(env: Record<string, string>): Promise<Client> {
  const server = await startServer({ env: { TASKLANE_TRUST_PROXY: 'true', ...env } });
  servers.push(server);
  return client(server.url);
}
after(() => Promise.all(servers.map((s) => s.close())));

function assertMetrics(res: { status: number; text: string }, context: string) {
  assert.equal(res.status, 200, `${context}: ${res.text.slice(0, 200)}`);
  assert.match(res.text, /tasklane_process_cpu_seconds_total/, context);
}

describe('production without a token: loopback only', () => {
  let api: Client;
  before(async () => {
    api = await start({ TASKLANE_ENV: 'production' });
  });

  test('a client on this machine reads the metrics', async () => {
    assertMetrics(await api.get('/metrics'), 'loopback');
  });

  test('a remote client is refused with 403 in AutoServe shape, and no token helps', async () => {
    for (const headers of [REMOTE, { ...REMOTE, authorization: `Bearer ${TOKEN}` }]) {
      const res = await api.get('/metrics', { headers });
      assert.equal(res.status, 403, res.text);
      assertErrorShape('autoserve', res, 'remote');
      assert.equal(res.body.error.code, 'FORBIDDEN');
      assert.doesNotMatch(res.text, /tasklane_/);
    }
  });

  test('the rest of the root stays public', async () => {
    assert.equal((await api.get('/health', { headers: REMOTE })).status, 200);
  });
});

describe('a token configured: TASKLANE_METRICS_ACCESS defaults to token', () => {
  let api: Client;
  before(async () => {
    api = await start({ TASKLANE_ENV: 'production', TASKLANE_METRICS_TOKEN: TOKEN });
  });

  test('without the token, from anywhere: 401 in AutoServe shape with a Bearer challenge', async () => {
    const attempts: Record<string, string>[] = [
      {},
      REMOTE,
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(1)}` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const res = await api.get('/metrics', { headers });
      const context = JSON.stringify(headers);
      assert.equal(res.status, 401, `${context}: ${res.text}`);
      assertErrorShape('autoserve', res, context);
      assert.equal(res.body.error.code, 'UNAUTHORIZED');
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  });

  test('with the bearer token: the metrics, from anywhere', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    assertMetrics(await api.get('/metrics', { headers: auth }), 'local');
    assertMetrics(await api.get('/metrics', { headers: { ...REMOTE, ...auth } }), 'remote');
  });
});

describe('loopback with a token: local clients, or anyone with the token', () => {
  let api: Client;
  before(async () => {
    api = await start({ TASKLANE_METRICS_ACCESS: 'loopback', TASKLANE_METRICS_TOKEN: TOKEN });
  });

  test('local without a token, remote with it', async () => {
    assertMetrics(await api.get('/metrics'), 'local');
    const auth = { authorization: `Bearer ${TOKEN}` };
    assertMetrics(await api.get('/metrics', { headers: { ...REMOTE, ...auth } }), 'remote');
  });

  test('remote without the token: 401', async () => {
    const res = await api.get('/metrics', { headers: REMOTE });
    assert.equal(res.status, 401, res.text);
    assertErrorShape('autoserve', res, 'remote');
  });
});

describe('development keeps /metrics public', () => {
  test('a remote client reads the metrics', async () => {
    const api = await start({});
    assertMetrics(await api.get('/metrics', { headers: REMOTE }), 'remote');
  });
});
