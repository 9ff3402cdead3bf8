/**
 * The outbox and subscriber API: events recorded in a transaction are delivered only if
 * it commits, in order per subject with gap-free sequence numbers, across processes
 * (PostgreSQL NOTIFY, or Redis) and in-process (embedded).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../../../src/config.ts';
import { withTransaction } from '../../../src/core/context.ts';
import type { StoredEvent } from '../../../src/core/events/events.types.ts';
import { recordEvent } from '../../../src/core/events/outbox.ts';
import { uuidv7 } from '../../../src/core/shared/ids.ts';
import { type AppRuntime, createRuntime } from '../../../src/runtime.ts';
import { SHARED_KEYS, TEST_DB } from '../../helpers/db.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';
import { REDIS_URL } from '../../helpers/server.ts';

let a: TestRuntime;
let b: AppRuntime | undefined;
before(async () => {
  a = await startRuntime();
  // A second process's view: on PostgreSQL another runtime on the same database.
  if (TEST_DB === 'postgres') {
    b = await createRuntime(loadConfig(sameDatabase(a)));
  }
});
after(async () => {
  await b?.close();
  await a.close();
});

function sameDatabase(t: TestRuntime, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TASKLANE_DATABASE_URL: (t.runtime.config.database as { url: string }).url,
    TASKLANE_DATA_DIR: t.runtime.config.dataDir,
    TASKLANE_LOG_LEVEL: 'silent',
    ...SHARED_KEYS,
    ...extra,
  };
}

function collect(
  runtime: AppRuntime,
  filter: Parameters<AppRuntime['events']['subscribe']>[0],
): StoredEvent[] {
  const seen: StoredEvent[] = [];
  runtime.events.subscribe(filter, (e) => seen.push(e));
  return seen;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('committed events arrive in order with per-subject sequence numbers; rolled-back ones never do', async () => {
  const subject = uuidv7();
  const tenantId = uuidv7();
  const receivers = [a.runtime, ...(b ? [b] : [])].map((r) => collect(r, { subjectId: subject }));
  const ctx = a.ctx();
  const recorded: StoredEvent[] = [];
  for (let i = 1; i <= 5; i++) {
    await withTransaction(ctx, async (tx) =>
      recorded.push(
        await recordEvent(tx, {
          type: 'test.step',
          tenantId,
          userId: null,
          subjectId: subject,
          payload: { i },
        }),
      ),
    );
  }
  await assert.rejects(
    withTransaction(ctx, async (tx) => {
      await recordEvent(tx, {
        type: 'test.ghost',
        tenantId,
        userId: null,
        subjectId: subject,
        payload: {},
      });
      throw new Error('rollback');
    }),
  );
  await withTransaction(ctx, (tx) =>
    recordEvent(tx, {
      type: 'test.step',
      tenantId,
      userId: null,
      subjectId: subject,
      payload: { i: 6 },
    }),
  );
  for (const seen of receivers) {
    await until(() => seen.length >= 6);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      seen.map((e) => e.payload.i),
      [1, 2, 3, 4, 5, 6],
    );
    assert.deepEqual(
      seen.map((e) => e.subjectSeq),
      [1, 2, 3, 4, 5, 6],
      'the rolled-back event left no gap',
    );
    assert.ok(!seen.some((e) => e.type === 'test.ghost'));
    // Every field as recorded (on PostgreSQL the insert itself builds the notification).
    assert.deepEqual(seen.slice(0, 5), recorded);
  }
});

test('filters by tenant and type prefix; large payloads are delivered whole', async () => {
  const tenantId = uuidv7();
  const receiver = b ?? a.runtime;
  const seen = collect(receiver, { tenantId, types: ['task.'] });
  const ctx = a.ctx();
  await recordEvent(ctx, { type: 'other.thing', tenantId, userId: null, payload: {} });
  await recordEvent(ctx, { type: 'task.progress', tenantId: uuidv7(), userId: null, payload: {} });
  const big = 'x'.repeat(20_000);
  await recordEvent(ctx, { type: 'task.completed', tenantId, userId: 7, payload: { big } });
  await until(() => seen.length >= 1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.type, 'task.completed');
  assert.equal(seen[0]!.payload.big, big);
  assert.equal(seen[0]!.userId, 7);
});

test('with Redis configured, events fan out through Redis between runtimes', {
  skip: TEST_DB !== 'postgres' && 'needs two runtimes on one database (PostgreSQL)',
}, async () => {
  const env = {
    TASKLANE_REDIS_URL: REDIS_URL,
    TASKLANE_REDIS_PREFIX: `hub-${process.pid}-${Date.now()}:`,
  };
  const first = await createRuntime(loadConfig(sameDatabase(a, env)));
  const second = await createRuntime(loadConfig(sameDatabase(a, env)));
  try {
    assert.equal(first.eventNotifier.name, 'redis');
    const subject = uuidv7();
    const seen = collect(second, { subjectId: subject });
    await new Promise((r) => setTimeout(r, 100)); // the SUBSCRIBE round trip
    const ctx = { ...a.ctx(), runtime: first };
    await withTransaction(ctx as never, (tx) =>
      recordEvent(tx, {
        type: 'x.y',
        tenantId: null,
        userId: null,
        subjectId: subject,
        payload: { via: 'redis' },
      }),
    );
    await until(() => seen.length === 1);
    assert.equal(seen[0]!.payload.via, 'redis');
  } finally {
    await second.close();
    await first.close();
  }
});
