/**
 * The API usage log's write path: calls are buffered and written in batches (one
 * statement per batch, in order), a reader sees its own calls at once, a failed write
 * drops its batch with a warning instead of failing anyone, and the hourly purge keeps
 * TASKLANE_API_LOG_RETENTION_DAYS.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiCallBuffer } from '../../../src/core/api-logs/api-call-buffer.ts';
import { insertApiUsageLogs } from '../../../src/core/api-logs/api-usage-logs.repo.ts';
import {
  listApiUsageLogs,
  recordApiCall,
} from '../../../src/core/api-logs/api-usage-logs.service.ts';
import { purgeApiLogsJob } from '../../../src/core/api-logs/purge-api-logs.job.ts';
import type { Ctx } from '../../../src/core/context.ts';
import { actAsUser } from '../../../src/core/identity/auth.service.ts';
import { registerUser } from '../../../src/core/identity/users.service.ts';
import type { RunningJob } from '../../../src/core/jobs/jobs.types.ts';
import { createLogger } from '../../../src/http/logger.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

let env: TestRuntime;
let user: Ctx;

before(async () => {
  // A long interval: only an explicit flush (or a full batch) writes.
  env = await startRuntime({ env: { TASKLANE_API_LOG_FLUSH_MS: '60000' } });
  const { user: created } = await registerUser(env.ctx(), {
    username: 'logger',
    email: 'logger@example.com',
    password: 'password-123',
  });
  const row = await env.runtime.database.db
    .selectFrom('users')
    .select('id')
    .where('uuid', '=', created.uuid)
    .executeTakeFirstOrThrow();
  user = (await actAsUser(env.ctx(), Number(row.id)))!;
});
after(() => env?.close());

const call = (endpoint: string) => ({
  surface: 'codeguide',
  endpoint,
  method: 'GET',
  statusCode: 200,
  responseTimeMs: 1.5,
});

const stored = async () =>
  Number(
    (
      await env.runtime.database.db
        .selectFrom('api_usage_logs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

test('recorded calls wait in memory; a reader flushes and sees its own calls, newest first', async () => {
  const before = await stored();
  for (let i = 0; i < 5; i++) recordApiCall(user, call(`/v1/e${i}`));
  assert.equal(await stored(), before, 'nothing is written per request');
  const logs = await listApiUsageLogs(user, { limit: 10 });
  assert.deepEqual(
    logs.slice(0, 5).map((l) => l.endpoint),
    ['/v1/e4', '/v1/e3', '/v1/e2', '/v1/e1', '/v1/e0'],
  );
  assert.equal(await stored(), before + 5);
});

test('batches are written in order, 500 rows per statement; a failed write drops its batch', async () => {
  const writes: number[] = [];
  let fail = false;
  const log = createLogger('silent');
  const buffer = new ApiCallBuffer(
    async (rows) => {
      if (fail) throw new Error('database down');
      writes.push(rows.length);
    },
    log,
    60_000,
  );
  const row = (i: number) => ({
    id: String(i),
    tenant_id: 't',
    user_id: 1,
    surface: 's',
    endpoint: '/e',
    method: 'GET',
    status_code: 200,
    response_time_ms: 1,
    created_at: i,
  });
  for (let i = 0; i < 1200; i++) buffer.record(row(i));
  await buffer.flush();
  assert.deepEqual(writes, [500, 500, 200]);
  fail = true;
  for (let i = 0; i < 3; i++) buffer.record(row(i));
  await buffer.flush();
  assert.equal(buffer.dropped, 3);
  fail = false;
  await buffer.close();
  buffer.record(row(1)); // after close: ignored
  await buffer.flush();
  assert.deepEqual(writes, [500, 500, 200]);
});

test('a batch of any size is written whole, every field as given (compiled chunks and single rows)', async () => {
  const actor = user.actor as { userId: number; tenantId: string };
  // 123 rows: two compiled chunks of 50 and 23 single rows on SQLite.
  const rows = Array.from({ length: 123 }, (_, i) => ({
    id: `batch-${String(i).padStart(3, '0')}`,
    tenant_id: actor.tenantId,
    user_id: actor.userId,
    surface: i % 2 ? 'codeguide' : 'codeep',
    endpoint: `/v1/batch/${i}`,
    method: i % 3 ? 'GET' : 'POST',
    status_code: 200 + (i % 5),
    response_time_ms: i + 0.25,
    created_at: 1_700_000_000_000 + i,
  }));
  await insertApiUsageLogs(user, rows);
  const written = await env.runtime.database.db
    .selectFrom('api_usage_logs')
    .selectAll()
    .where('id', 'like', 'batch-%')
    .orderBy('id')
    .execute();
  assert.deepEqual(
    written.map((row) => ({ ...row, created_at: Number(row.created_at) })),
    rows,
  );
});

test('the purge keeps the configured number of days', async () => {
  const now = env.runtime.clock.now();
  const day = 86_400_000;
  const old = await env.runtime.database.db
    .selectFrom('api_usage_logs')
    .select(['tenant_id', 'user_id'])
    .executeTakeFirstOrThrow();
  await env.runtime.database.db
    .insertInto('api_usage_logs')
    .values(
      [91, 89].map((age) => ({
        id: `00000000-0000-7000-8000-0000000000${age}`,
        tenant_id: old.tenant_id,
        user_id: old.user_id,
        surface: 'codeguide',
        endpoint: `/old/${age}`,
        method: 'GET',
        status_code: 200,
        response_time_ms: 1,
        created_at: now - age * day,
      })),
    )
    .execute();
  const job = { ctx: env.ctx(), signal: new AbortController().signal } as RunningJob<
    Record<string, never>
  >;
  await purgeApiLogsJob.handler(job);
  const left = await env.runtime.database.db
    .selectFrom('api_usage_logs')
    .select('endpoint')
    .where('endpoint', 'like', '/old/%')
    .execute();
  assert.deepEqual(
    left.map((r) => r.endpoint),
    ['/old/89'],
  );
  assert.ok((await stored()) >= 5, 'recent entries stay');
});
