/**
 * Shared HTTP plumbing: request ids, security headers, CORS, health with real
 * dependency checks, info, metrics, OpenAPI documents and the interactive docs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Client, client } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let api: Client;
before(async () => {
  server = await startServer({ env: { TASKLANE_CORS_ORIGINS: 'https://app.example' } });
  api = client(server.url);
});
after(() => server.close());

test('X-Request-Id is echoed when sane and minted otherwise', async () => {
  const echoed = await api.get('/health', { headers: { 'x-request-id': 'abc-123' } });
  assert.equal(echoed.headers.get('x-request-id'), 'abc-123');
  const minted = await api.get('/health', {
    headers: { 'x-request-id': 'bad id\nwith newline'.replace('\n', ' ') },
  });
  assert.match(minted.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
});

test('security headers are set', async () => {
  const res = await api.get('/info');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.ok(res.headers.get('strict-transport-security'));
  assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
});

test('CORS allows the configured origin only', async () => {
  const ok = await api.get('/info', { headers: { origin: 'https://app.example' } });
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example');
  const other = await api.get('/info', { headers: { origin: 'https://evil.example' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});

test('GET /health: AutoServe and CMBCluster fields with real checks', async () => {
  const res = await api.get('/health');
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'healthy');
  assert.match(res.body.timestamp, /Z$/);
  assert.equal(res.body.version, '0.1.0');
  assert.equal(typeof res.body.uptime, 'number');
  assert.equal(res.body.dependencies.database, 'healthy');
  assert.ok(['healthy', 'not_configured'].includes(res.body.dependencies.redis));
});

test('GET /health is 503 when Redis is configured but down', async () => {
  const down = await startServer({ env: { TASKLANE_REDIS_URL: 'redis://127.0.0.1:1' } });
  try {
    const res = await client(down.url).get('/health');
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'unhealthy');
    assert.equal(res.body.dependencies.redis, 'unhealthy');
    assert.equal(res.body.dependencies.database, 'healthy');
  } finally {
    await down.close();
  }
});

test('GET /info', async () => {
  const res = await api.get('/info');
  // The spec's four fields, and what tasks can do here (beyond the spec).
  assert.deepEqual(Object.keys(res.body).sort(), [
    'description',
    'environment',
    'features',
    'name',
    'version',
  ]);
  assert.equal(res.body.name, 'tasklane');
  assert.equal(res.body.environment, 'development');
  assert.deepEqual(Object.keys(res.body.features).sort(), ['browser_screenshot', 'code_execution']);
});

test('/health and /info say which features are missing and what to install', async () => {
  const bare = await startServer({
    env: { TASKLANE_CHROMIUM_PATH: '/nonexistent/chromium' },
    sandbox: {
      available: false,
      reason: 'No sandbox: bwrap is not installed (apt-get install bubblewrap)',
    },
  });
  try {
    for (const path of ['/health', '/info']) {
      const res = await client(bare.url).get(path);
      assert.equal(res.status, 200, `${path} still answers`);
      assert.deepEqual(res.body.features, {
        code_execution: {
          available: false,
          reason: 'No sandbox: bwrap is not installed (apt-get install bubblewrap)',
        },
        browser_screenshot: {
          available: false,
          reason: 'No sandbox: bwrap is not installed (apt-get install bubblewrap)',
        },
      });
    }
  } finally {
    await bare.close();
  }
  const health = await api.get('/health');
  if (health.body.features.code_execution.available) {
    const noBrowser = await startServer({
      env: { TASKLANE_CHROMIUM_PATH: '/nonexistent/chromium' },
    });
    try {
      const res = await client(noBrowser.url).get('/info');
      assert.equal(res.body.features.code_execution.available, true);
      assert.equal(res.body.features.browser_screenshot.available, false);
      assert.match(res.body.features.browser_screenshot.reason, /apt-get install chromium/);
    } finally {
      await noBrowser.close();
    }
  }
});

test('GET /metrics exposes per-route counts and durations and process metrics', async () => {
  await api.get('/v1/health');
  const res = await api.get('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /text\/plain/);
  assert.match(
    res.text,
    /tasklane_http_requests_total\{method="GET",route="\/v1\/health",status_code="200"\} \d+/,
  );
  assert.match(
    res.text,
    /tasklane_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/v1\/health"/,
  );
  assert.match(res.text, /tasklane_process_cpu_seconds_total/);
});

test('one OpenAPI 3.1 document per surface, with its own paths only', async () => {
  const codeep = await api.get('/openapi/codeep.json');
  assert.equal(codeep.status, 200);
  assert.equal(codeep.body.openapi, '3.1.0');
  assert.ok(codeep.body.paths['/auth/register']);
  assert.deepEqual(codeep.body.servers, [{ url: '/v1' }]);
  const autoserve = await api.get('/openapi/autoserve.json');
  assert.ok(autoserve.body.paths['/users/me']);
  assert.equal(autoserve.body.paths['/auth/register'], undefined);
  const ta = await api.get('/openapi/taskassistant.json');
  assert.deepEqual(ta.body.servers, [{ url: '/api/v1' }]);
  assert.ok(ta.body.paths['/auth/login']);
});

test('the interactive reference is served at /docs', async () => {
  const res = await fetch(`${server.url}/docs/`, { redirect: 'follow' });
  assert.equal(res.status, 200);
  assert.match(await res.text(), /swagger-ui/i);
});

test('unknown routes are 404 in the owning surface shape', async () => {
  assert.equal((await api.get('/nope')).body.error.code, 'NOT_FOUND');
  assert.equal((await api.get('/api/v1/nope')).body.error_code, 'NOT_FOUND');
  assert.equal(typeof (await api.get('/v1/nope')).body.msg, 'string');
});
