/**
 * Rotating TASKLANE_SECRET_KEY: secrets sealed by the previous key still open while it
 * is listed in TASKLANE_SECRET_KEY_PREVIOUS, `resealSecrets` (and `tasklane secrets
 * reseal`) moves every one of them to the new key, and after that the old key is not
 * needed. Real runtimes on one real database, one after the other, as an operator
 * would restart the server with new settings.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig } from '../../../src/config.ts';
import { createContext, systemActor } from '../../../src/core/context.ts';
import {
  coolifyTokenAad,
  setCoolifyCredentials,
} from '../../../src/core/deploys/deploys.service.ts';
import { envVarAad, setEnvVar } from '../../../src/core/environments/env-vars.service.ts';
import { apiKeyAad } from '../../../src/core/identity/api-keys.ts';
import { authenticateApiKey } from '../../../src/core/identity/auth.service.ts';
import { registerUser } from '../../../src/core/identity/users.service.ts';
import { resealSecrets } from '../../../src/core/secrets/reseal.service.ts';
import { SecretBox } from '../../../src/core/shared/crypto.ts';
import { webhookSecretAad } from '../../../src/core/webhooks/signing.ts';
import { createWebhook } from '../../../src/core/webhooks/webhooks.service.ts';
import { type AppRuntime, createRuntime } from '../../../src/runtime.ts';
import {
  createTestDatabase,
  makeTempDir,
  SHARED_KEYS,
  type TestDatabase,
} from '../../helpers/db.ts';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../../..');
const key = () => randomBytes(32).toString('hex');
const K1 = key();
const K2 = key();
const K3 = key();

let dataDir: string;
let database: TestDatabase;
let apiKey: string;
let userUuid: string;
let webhookId: string;

function env(secretKey: string, previous: string[] = []): Record<string, string> {
  return {
    TASKLANE_DATA_DIR: dataDir,
    TASKLANE_DATABASE_URL: database.url,
    TASKLANE_LOG_LEVEL: 'silent',
    TASKLANE_JWT_SECRET: SHARED_KEYS.TASKLANE_JWT_SECRET ?? randomBytes(32).toString('base64url'),
    TASKLANE_SECRET_KEY: secretKey,
    TASKLANE_SECRET_KEY_PREVIOUS: previous.join(','),
    TASKLANE_WEBHOOK_ALLOW_PRIVATE: 'true',
    TASKLANE_COOLIFY_ALLOW_PRIVATE: 'true',
  };
}

async function withRuntime<T>(
  settings: Record<string, string>,
  fn: (runtime: AppRuntime) => Promise<T>,
) {
  const runtime = await createRuntime(loadConfig(settings));
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

/** Every stored secret, opened with the runtime's keys (throws if one does not open). */
async function openAll(runtime: AppRuntime): Promise<Record<string, string>> {
  const db = runtime.database.db;
  const box = runtime.keys.box;
  const user = await db
    .selectFrom('users')
    .select('api_key_ciphertext')
    .where('uuid', '=', userUuid)
    .executeTakeFirstOrThrow();
  const hook = await db
    .selectFrom('webhooks')
    .select('secret_sealed')
    .where('id', '=', webhookId)
    .executeTakeFirstOrThrow();
  const variable = await db
    .selectFrom('cmb_env_vars')
    .select('value_sealed')
    .where('key', '=', 'TOKEN')
    .executeTakeFirstOrThrow();
  const coolify = await db
    .selectFrom('coolify_credentials')
    .select(['token_sealed', 'base_url'])
    .executeTakeFirstOrThrow();
  return {
    apiKey: box.open(user.api_key_ciphertext!, apiKeyAad(userUuid)),
    webhook: box.open(hook.secret_sealed, webhookSecretAad(webhookId)),
    variable: box.open(variable.value_sealed, envVarAad(userUuid, 'TOKEN')),
    coolify: box.open(coolify.token_sealed, coolifyTokenAad(userUuid, coolify.base_url)),
  };
}

before(async () => {
  dataDir = makeTempDir();
  database = await createTestDatabase(dataDir);
  await withRuntime(env(K1), async (runtime) => {
    const registered = await registerUser(createContext(runtime, systemActor), {
      username: 'rotating',
      email: 'rotating@example.com',
      password: 'password-123',
    });
    apiKey = registered.apiKey;
    userUuid = registered.user.uuid;
    const ctx = createContext(
      runtime,
      await authenticateApiKey(createContext(runtime, systemActor), apiKey),
    );
    webhookId = (
      await createWebhook(ctx, {
        url: 'http://127.0.0.1:9/hook',
        eventTypes: ['task.completed'],
        secret: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5',
      })
    ).webhook.id;
    await setEnvVar(ctx, 'TOKEN', 'value-sealed-by-k1');
    await setCoolifyCredentials(ctx, { baseUrl: 'http://127.0.0.1:9', token: '3|coolify-by-k1' });
    await setEnvVar(ctx, 'LOST', 'sealed by a key nobody holds any more');
    // LOST is then sealed again under a key that is gone: rotation must keep it, not destroy it.
    const gone = new SecretBox(randomBytes(32));
    await runtime.database.db
      .updateTable('cmb_env_vars')
      .set({ value_sealed: gone.seal('lost', envVarAad(userUuid, 'LOST')) })
      .where('key', '=', 'LOST')
      .execute();
  });
});

after(async () => {
  await database.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a new key alone cannot open what the previous key sealed', async () => {
  await withRuntime(env(K2), async (runtime) => {
    await assert.rejects(openAll(runtime), /does not hold/);
  });
});

test('with the previous key listed, everything opens and reseal moves it to the new key', async () => {
  await withRuntime(env(K2, [K1]), async (runtime) => {
    assert.deepEqual(await openAll(runtime), {
      apiKey,
      webhook: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5',
      variable: 'value-sealed-by-k1',
      coolify: '3|coolify-by-k1',
    });
    const progress: string[] = [];
    const counts = await resealSecrets(createContext(runtime, systemActor), (c) =>
      progress.push(c.store),
    );
    assert.deepEqual(counts, [
      { store: 'api keys', stale: 1, resealed: 1, unreadable: 0 },
      { store: 'webhook secrets', stale: 1, resealed: 1, unreadable: 0 },
      { store: 'environment variables', stale: 2, resealed: 1, unreadable: 1 },
      { store: 'coolify tokens', stale: 1, resealed: 1, unreadable: 0 },
    ]);
    assert.deepEqual(progress, [
      'api keys',
      'webhook secrets',
      'environment variables',
      'coolify tokens',
    ]);
    // Run again: only the value no key opens is still found, and it is still there.
    const again = await resealSecrets(createContext(runtime, systemActor));
    assert.deepEqual(
      again.map((c) => [c.store, c.stale, c.resealed]),
      [
        ['api keys', 0, 0],
        ['webhook secrets', 0, 0],
        ['environment variables', 1, 0],
        ['coolify tokens', 0, 0],
      ],
    );
  });
  // The previous key is no longer needed.
  await withRuntime(env(K2), async (runtime) => {
    const opened = await openAll(runtime);
    assert.equal(opened.variable, 'value-sealed-by-k1');
    assert.equal(opened.coolify, '3|coolify-by-k1');
    // The API key still authenticates (its hash never depended on the key).
    const actor = await authenticateApiKey(createContext(runtime, systemActor), apiKey);
    assert.equal(actor.userUuid, userUuid);
  });
});

test('values sealed before key ids existed (v1) open with the current or a previous key', () => {
  const raw = randomBytes(32);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', raw, nonce);
  cipher.setAAD(Buffer.from('aad'));
  const body = Buffer.concat([cipher.update('legacy', 'utf8'), cipher.final()]);
  const v1 = ['v1', nonce, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
  assert.equal(new SecretBox(raw).open(v1, 'aad'), 'legacy');
  const rotated = new SecretBox(randomBytes(32), [raw]);
  assert.equal(rotated.open(v1, 'aad'), 'legacy');
  assert.ok(rotated.isStale(v1));
  assert.ok(!rotated.isStale(rotated.seal('x')));
  assert.throws(() => new SecretBox(randomBytes(32)).open(v1, 'aad'));
  assert.throws(() => rotated.open(v1, 'other aad'));
});

test('`tasklane secrets reseal` reports per store and exits 2 while a value opens with no key', async () => {
  const result = await run(process.execPath, ['src/cli.ts', 'secrets', 'reseal'], {
    cwd: REPO,
    env: { ...process.env, ...env(K3, [K2]) },
  }).then(
    () => assert.fail('expected exit code 2'),
    (error: { code: number; stdout: string }) => error,
  );
  assert.equal(result.code, 2);
  assert.match(result.stdout, /api keys: 1 re-sealed of 1 found/);
  assert.match(result.stdout, /webhook secrets: 1 re-sealed of 1 found/);
  assert.match(
    result.stdout,
    /environment variables: 1 re-sealed of 2 found, 1 opened by no key held/,
  );
  assert.match(result.stdout, /coolify tokens: 1 re-sealed of 1 found/);
  await withRuntime(env(K3), async (runtime) => {
    assert.equal((await openAll(runtime)).webhook, 'whsec_c2VjcmV0LXNpZ25pbmcta2V5');
  });
});
