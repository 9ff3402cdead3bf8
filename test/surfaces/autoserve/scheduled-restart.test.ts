/**
 * scheduled_at through the durable queue: a task scheduled a few seconds ahead does
 * not start before its time, survives a server restart in between, and runs once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client } from '../../helpers/http.ts';
import { startServer } from '../../helpers/server.ts';
import { autoserveUser, waitForStatus } from './support.ts';

test('a scheduled task waits for its time, across a restart, and runs exactly once', async () => {
  // The owner holds the test database (and drops it at the end); it runs no jobs.
  const owner = await startServer();
  const shared = {
    databaseUrl: owner.env.TASKLANE_DATABASE_URL!,
    dataDir: owner.env.TASKLANE_DATA_DIR!,
  };
  const first = await startServer({ workers: 1, shared });
  let api = client(first.url);
  const user = await autoserveUser(api, 'sched');
  const at = Date.now() + 4000;
  const created = await api.post(
    '/tasks',
    {
      title: 'Later',
      scheduled_at: new Date(at).toISOString(),
      task_type: 'code',
      parameters: { language: 'bash', source: 'echo ran' },
    },
    { token: user.token },
  );
  assert.equal(created.status, 201, created.text);
  // The first server goes away before the time comes; its database stays.
  const stillPending = await api.get(`/tasks/${created.body.id}`, { token: user.token });
  assert.equal(stillPending.body.status, 'pending');
  await first.close();

  const second = await startServer({ workers: 1, shared });
  try {
    api = client(second.url);
    const done = await waitForStatus(api, user.token, created.body.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', done.error);
    const row = await second.runtime.database.db
      .selectFrom('tasks')
      .select(['started_at', 'attempts'])
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    assert.ok(Number(row.started_at) >= at, 'not started before scheduled_at');
    assert.equal(row.attempts, 1, 'run exactly once');
  } finally {
    await second.close();
    await owner.close();
  }
});
