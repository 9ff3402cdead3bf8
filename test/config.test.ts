import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

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
  });
  assert.equal(config.database.kind, 'postgres');
  assert.equal(config.surfaces.codeguide.enabled, false);
  assert.equal(config.surfaces.cmbcluster.mount, '/cluster');
  assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
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
  try {
    loadConfig({ TASKLANE_JWT_SECRET: 'hunter2' });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(!(error as Error).message.includes('hunter2'));
  }
});
