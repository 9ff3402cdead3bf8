/**
 * Rate limits as the specs document them, on the memory store and on Redis; two app
 * instances on one Redis share the count.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertErrorShape } from '../helpers/error-shapes.ts';
import { client } from '../helpers/http.ts';
import { REDIS_URL, startServer } from '../helpers/server.ts';

const login = { username: 'nobody', password: 'whatever-123' };

for (const store of ['memory', 'redis'] as const) {
  test(`the 11th Codeep login in a minute from one IP gets 429 with the headers (${store} store)`, async () => {
    const server = await startServer({
      env: {
        TASKLANE_RATE_LIMIT: 'true',
        ...(store === 'redis' ? { TASKLANE_REDIS_URL: REDIS_URL } : { TASKLANE_REDIS_URL: '' }),
      },
    });
    try {
      const api = client(server.url);
      for (let i = 1; i <= 10; i++) {
        const res = await api.post('/v1/auth/login', login);
        assert.equal(res.status, 401, `attempt ${i}`);
        assert.equal(res.headers.get('x-ratelimit-limit'), '10');
        assert.equal(res.headers.get('x-ratelimit-remaining'), String(10 - i));
        const reset = Number(res.headers.get('x-ratelimit-reset'));
        assert.ok(
          reset > Date.now() / 1000 && reset <= Date.now() / 1000 + 61,
          'reset is an epoch second within the window',
        );
      }
      const res = await api.post('/v1/auth/login', login);
      assert.equal(res.status, 429);
      assertErrorShape('codeep', res);
      assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60);
      // Task Assistant's auth bucket is separate, and its 429 carries retry_after.
      const ta = client(server.url);
      for (let i = 0; i < 10; i++)
        await ta.post('/api/v1/auth/login', { email: 'x@example.com', password: 'y' });
      const taRes = await ta.post('/api/v1/auth/login', { email: 'x@example.com', password: 'y' });
      assert.equal(taRes.status, 429);
      assertErrorShape('taskassistant', taRes);
      assert.equal(taRes.body.error_code, 'RATE_LIMIT_EXCEEDED');
      assert.equal(taRes.body.retry_after, Number(taRes.headers.get('retry-after')));
      assert.match(taRes.body.detail, /^Rate limit exceeded\. Try again in \d+ seconds\.$/);
    } finally {
      await server.close();
    }
  });
}

test('two app instances on one Redis share the count', async () => {
  const prefix = `shared-${process.pid}-${Date.now()}:`;
  const env = {
    TASKLANE_RATE_LIMIT: 'true',
    TASKLANE_REDIS_URL: REDIS_URL,
    TASKLANE_REDIS_PREFIX: prefix,
  };
  const first = await startServer({ env });
  const second = await startServer({
    env,
    shared: {
      databaseUrl: first.env.TASKLANE_DATABASE_URL!,
      dataDir: first.env.TASKLANE_DATA_DIR!,
    },
  });
  try {
    const a = client(first.url);
    const b = client(second.url);
    for (let i = 0; i < 5; i++) assert.equal((await a.post('/v1/auth/login', login)).status, 401);
    for (let i = 0; i < 5; i++) assert.equal((await b.post('/v1/auth/login', login)).status, 401);
    assert.equal((await a.post('/v1/auth/login', login)).status, 429);
    assert.equal((await b.post('/v1/auth/login', login)).status, 429);
  } finally {
    await second.close();
    await first.close();
  }
});

test('per-user limits count users separately; AutoServe tiers its hourly limit', async () => {
  const server = await startServer({
    env: { TASKLANE_RATE_LIMIT: 'true', TASKLANE_REDIS_URL: '' },
  });
  try {
    const api = client(server.url);
    await api.post('/users/register', {
      username: 'tiered',
      password: 'password-123',
      email: 'tiered@example.com',
    });
    const { body } = await api.post('/auth/login', {
      username: 'tiered',
      password: 'password-123',
    });
    const me = await api.get('/users/me', { token: body.access_token });
    assert.equal(me.headers.get('x-ratelimit-limit'), '1000');
    const anon = await api.get('/users/me');
    assert.equal(anon.status, 401);
  } finally {
    await server.close();
  }
});
