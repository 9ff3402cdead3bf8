import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

const KEYS = { TASKLANE_JWT_SECRET: 'j'.repeat(32), TASKLANE_SECRET_KEY: 'k'.repeat(32) };

test('defaults work embedded: 127.0.0.1:8000, SQLite under ./data, every surface on', () => {
  const config = loadConfig({});
  assert.equal(config.host, '127.0.0.1');
  assert.equal(config.port, 8000);
  assert.equal(config.dataDir, path.resolve('./data'));
  assert.deepEqual(config.database, { kind: 'sqlite', path: path.resolve('./data/tasklane.db') });
  assert.equal(config.redisUrl, undefined);
  assert.equal(config.surfaces.codeep.mount, '/v1');
  assert.equal(config.surfaces.autoserve.mount, '');
  assert.equal(config.surfaces.cmbcluster.mount, '/cmb');
  assert.ok(Object.values(config.surfaces).every((s) => s.enabled));
});

test('postgres URLs, surface switches and mounts are read', () => {
  const config = loadConfig({
    TASKLANE_DATABASE_URL: 'postgres://u@db:5432/x',
    TASKLANE_SURFACE_CODEGUIDE_ENABLED: 'false',
    TASKLANE_SURFACE_CMBCLUSTER_MOUNT: '/cluster/',
    TASKLANE_REDIS_URL: 'redis://127.0.0.1:6379',
    ...KEYS,
  });
  assert.equal(config.database.kind, 'postgres');
  assert.equal(config.surfaces.codeguide.enabled, false);
  assert.equal(config.surfaces.cmbcluster.mount, '/cluster');
  assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
});

test('on PostgreSQL the server refuses to start without both shared keys, naming them', () => {
  const pg = { TASKLANE_DATABASE_URL: 'postgres://u@db:5432/x' };
  for (const env of [pg, { ...pg, TASKLANE_JWT_SECRET: KEYS.TASKLANE_JWT_SECRET }]) {
    assert.throws(
      () => loadConfig(env),
      (error: Error) =>
        error instanceof ConfigError &&
        /TASKLANE_JWT_SECRET/.test(error.message) &&
        /TASKLANE_SECRET_KEY/.test(error.message),
    );
  }
  // SQLite (one process, one data dir) generates its own.
  assert.equal(loadConfig({}).auth.jwtSecret, undefined);
});

const invalid: [Record<string, string>, RegExp][] = [
  [{ TASKLANE_PORT: 'eighty' }, /TASKLANE_PORT/],
  [{ TASKLANE_PORT: '70000' }, /TASKLANE_PORT/],
  [{ TASKLANE_DATABASE_URL: 'mysql://x' }, /TASKLANE_DATABASE_URL/],
  [{ TASKLANE_REDIS_URL: 'http://x' }, /TASKLANE_REDIS_URL/],
  [{ TASKLANE_RATE_LIMIT: 'maybe' }, /TASKLANE_RATE_LIMIT/],
  [{ TASKLANE_JWT_SECRET: 'short' }, /TASKLANE_JWT_SECRET/],
  [{ TASKLANE_SURFACE_CODEEP_MOUNT: 'v1' }, /TASKLANE_SURFACE_CODEEP_MOUNT/],
  [{ TASKLANE_LOG_LEVEL: 'loud' }, /TASKLANE_LOG_LEVEL/],
  [{ TASKLANE_WEBHOOK_ALLOW_NETWORKS: '10.0.0.0/8, intranet' }, /TASKLANE_WEBHOOK_ALLOW_NETWORKS/],
  [{ TASKLANE_WEBHOOK_ALLOW_NETWORKS: '10.0.0.0/40' }, /TASKLANE_WEBHOOK_ALLOW_NETWORKS/],
  [{ TASKLANE_JSON_MAX_DEPTH: '100000' }, /TASKLANE_JSON_MAX_DEPTH/],
  [{ TASKLANE_METRICS_ACCESS: 'everyone' }, /TASKLANE_METRICS_ACCESS/],
  [{ TASKLANE_METRICS_ACCESS: 'token' }, /TASKLANE_METRICS_TOKEN/],
  [{ TASKLANE_METRICS_TOKEN: 'short' }, /TASKLANE_METRICS_TOKEN/],
  [{ TASKLANE_COOLIFY_URL: 'https://coolify.example.com' }, /TASKLANE_COOLIFY_TOKEN/],
  [{ TASKLANE_COOLIFY_TOKEN: '1|abc' }, /TASKLANE_COOLIFY_URL/],
  [{ TASKLANE_COOLIFY_URL: 'ftp://c.example.com', TASKLANE_COOLIFY_TOKEN: 't' }, /_COOLIFY_URL/],
  [{ TASKLANE_COOLIFY_ALLOW_NETWORKS: '10.0.0.0/8, intranet' }, /TASKLANE_COOLIFY_ALLOW_NETWORKS/],
  [{ TASKLANE_COOLIFY_TIMEOUT_MS: '10' }, /TASKLANE_COOLIFY_TIMEOUT_MS/],
  [{ TASKLANE_COOLIFY_MAX_RESPONSE_BYTES: 'lots' }, /TASKLANE_COOLIFY_MAX_RESPONSE_BYTES/],
  [{ TASKLANE_SANDBOX_WARM_POOL: 'ruby:2' }, /TASKLANE_SANDBOX_WARM_POOL.*ruby/],
  [{ TASKLANE_SANDBOX_WARM_POOL: 'python:two' }, /TASKLANE_SANDBOX_WARM_POOL/],
  [{ TASKLANE_SANDBOX_WARM_POOL: 'python:99' }, /TASKLANE_SANDBOX_WARM_POOL.*at most 32/],
  [{ TASKLANE_SANDBOX_WARM_POOL: 'python@16' }, /TASKLANE_SANDBOX_WARM_POOL.*at least 32/],
  [{ TASKLANE_SANDBOX_WARM_POOL: 'python:1,python:2' }, /TASKLANE_SANDBOX_WARM_POOL.*twice/],
  [{ TASKLANE_SANDBOX_WARM_POOL: 'bash+net:1' }, /TASKLANE_SANDBOX_ALLOW_NETWORK/],
];
for (const [env, pattern] of invalid) {
  test(`an invalid ${Object.keys(env)[0]} stops start-up naming the setting`, () => {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => error instanceof ConfigError && pattern.test(error.message),
    );
  });
}

test('a secret in an error message is never echoed', () => {
  for (const env of [
    { TASKLANE_JWT_SECRET: 'hunter2' },
    { TASKLANE_COOLIFY_URL: 'https://c.example.com', TASKLANE_COOLIFY_TOKEN: 'hunter2 x' },
  ]) {
    try {
      loadConfig(env);
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.ok(!error.message.includes('hunter2'));
    }
  }
});

test('Coolify: off by default; the installation instance and limits are read', () => {
  const off = loadConfig({}).coolify;
  assert.equal(off.url, undefined);
  assert.equal(off.allowPrivate, false);
  assert.equal(off.timeoutMs, 10_000);
  assert.equal(off.maxResponseBytes, 1_048_576);
  const on = loadConfig({
    TASKLANE_COOLIFY_URL: 'https://coolify.example.com',
    TASKLANE_COOLIFY_TOKEN: '1|abc',
    TASKLANE_COOLIFY_ALLOW_NETWORKS: '10.20.0.0/16',
  }).coolify;
  assert.equal(on.url, 'https://coolify.example.com');
  assert.equal(on.token, '1|abc');
  assert.equal(on.allowNetworks.length, 1);
});

test('/metrics access: public in development, loopback in production, token once one is set', () => {
  const token = 'metrics-token-0123456789abcdef';
  assert.deepEqual(loadConfig({}).metrics, { access: 'public', token: undefined });
  assert.equal(loadConfig({ TASKLANE_ENV: 'production' }).metrics.access, 'loopback');
  assert.deepEqual(
    loadConfig({ TASKLANE_ENV: 'production', TASKLANE_METRICS_TOKEN: token }).metrics,
    {
      access: 'token',
      token,
    },
  );
  assert.equal(loadConfig({ TASKLANE_METRICS_TOKEN: token }).metrics.access, 'token');
  const explicit = loadConfig({ TASKLANE_ENV: 'production', TASKLANE_METRICS_ACCESS: 'public' });
  assert.equal(explicit.metrics.access, 'public');
});

test('JSON bodies may nest 64 levels unless TASKLANE_JSON_MAX_DEPTH says otherwise', () => {
  assert.equal(loadConfig({}).http.jsonMaxDepth, 64);
  assert.equal(loadConfig({ TASKLANE_JSON_MAX_DEPTH: '128' }).http.jsonMaxDepth, 128);
});

test('the warm pool: bash, python and node by default; sizes, network and counts as written; off', () => {
  assert.deepEqual(loadConfig({}).sandbox.warmPool, [
    { language: 'bash', network: false, memoryMb: 512, count: 2 },
    { language: 'python', network: false, memoryMb: 512, count: 2 },
    { language: 'node', network: false, memoryMb: 512, count: 1 },
  ]);
  assert.deepEqual(
    loadConfig({
      TASKLANE_SANDBOX_ALLOW_NETWORK: 'true',
      TASKLANE_SANDBOX_MEMORY_MB: '256',
      TASKLANE_SANDBOX_WARM_POOL: ' python , node+net@1024:3, bash:0 ',
    }).sandbox.warmPool,
    [
      { language: 'python', network: false, memoryMb: 256, count: 1 },
      { language: 'node', network: true, memoryMb: 1024, count: 3 },
    ],
  );
  assert.deepEqual(loadConfig({ TASKLANE_SANDBOX_WARM_POOL: 'off' }).sandbox.warmPool, []);
});
