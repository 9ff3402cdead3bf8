/**
 * AutoServe tasks that really run: data_processing on an uploaded file (by name and by
 * id) with its output stored as the user's file, a failing code task and its retry,
 * priority overtaking queued work, and scheduled_at held across a server restart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { type AutoServeUser, autoserveUser, upload, waitFor, waitForStatus } from './support.ts';

const CSV = 'name,amount\nwidget,3\ngadget,5\n"quoted, name",7\n';
let server: TestServer;
let api: Client;
let alice: AutoServeUser;

before(async () => {
  server = await startServer({ workers: 1 });
  api = client(server.url);
  alice = await autoserveUser(api, 'runner');
});
after(() => server?.close());

describe('data_processing', () => {
  test('input_file by filename (the newest upload of that name) → JSON output stored as a file', async () => {
    await upload(server.url, alice.token, { name: 'file.csv', content: 'name\nold\n' });
    await upload(server.url, alice.token, { name: 'file.csv', content: CSV });
    const created = await api.post(
      '/tasks',
      {
        title: 'Process data',
        task_type: 'data_processing',
        parameters: { input_file: 'file.csv', output_format: 'json' },
      },
      { token: alice.token },
    );
    assert.equal(created.status, 201, created.text);
    const done = await waitForStatus(api, alice.token, created.body.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.error, null);
    assert.match(done.completed_at, /Z$/);
    assert.deepEqual(Object.keys(done.result).sort(), [
      'download_url',
      'file_id',
      'output_file',
      'records_processed',
    ]);
    assert.equal(done.result.output_file, 'processed_data.json');
    assert.equal(done.result.records_processed, 3);
    assert.equal(done.result.download_url, `${server.url}/files/${done.result.file_id}/download`);

    const meta = await api.get(`/files/${done.result.file_id}`, { token: alice.token });
    assert.equal(meta.status, 200);
    assert.equal(meta.body.filename, 'processed_data.json');
    const bytes = await fetch(done.result.download_url, {
      headers: { authorization: `Bearer ${alice.token}` },
    });
    assert.equal(bytes.status, 200);
    const rows = (await bytes.json()) as Record<string, string>[];
    assert.deepEqual(rows[2], { name: 'quoted, name', amount: '7' });
  });

  test('input_file by id, output_format csv', async () => {
    const up = await upload(server.url, alice.token, { name: 'by-id.csv', content: CSV });
    const created = await api.post(
      '/tasks',
      {
        title: 'To CSV',
        task_type: 'data_processing',
        parameters: { input_file: up.body.id, output_format: 'csv' },
      },
      { token: alice.token },
    );
    const done = await waitForStatus(api, alice.token, created.body.id, ['completed', 'failed']);
    assert.equal(done.status, 'completed', done.error);
    assert.equal(done.result.output_file, 'processed_data.csv');
    const text = await (
      await fetch(done.result.download_url, { headers: { authorization: `Bearer ${alice.token}` } })
    ).text();
    assert.equal(text.replace(/\r\n/g, '\n'), CSV);
  });

  test("another user's file name is not found: the task fails with a clear error", async () => {
    const bob = await autoserveUser(api, 'other');
    await upload(server.url, bob.token, { name: 'secret.csv', content: CSV });
    const created = await api.post(
      '/tasks',
      { title: 'Steal', task_type: 'data_processing', parameters: { input_file: 'secret.csv' } },
      { token: alice.token },
    );
    const done = await waitForStatus(api, alice.token, created.body.id, ['completed', 'failed']);
    assert.equal(done.status, 'failed');
    assert.match(done.error, /secret.csv/);
  });
});

describe('code tasks, retry, priority', () => {
  test('a failing code task is failed with its error; retry runs it again', async () => {
    const created = await api.post(
      '/tasks',
      {
        title: 'Fails',
        task_type: 'code',
        parameters: { language: 'bash', source: 'echo oops >&2; exit 3' },
      },
      { token: alice.token },
    );
    const failed = await waitForStatus(api, alice.token, created.body.id, ['completed', 'failed']);
    assert.equal(failed.status, 'failed');
    assert.equal(typeof failed.error, 'string');
    const retry = await api.post(`/tasks/${created.body.id}/retry`, undefined, {
      token: alice.token,
    });
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.body.retry_count, 1);
    const again = await waitForStatus(api, alice.token, created.body.id, ['completed', 'failed']);
    assert.equal(again.status, 'failed');
  });

  test('a high-priority task overtakes normal ones queued before it', async () => {
    const code = (title: string, priority: string, source = 'echo done') =>
      api.post(
        '/tasks',
        { title, priority, task_type: 'code', parameters: { language: 'bash', source } },
        { token: alice.token },
      );
    // One worker slot: the blocker holds it while the others queue up.
    const blocker = await code('blocker', 'normal', 'sleep 2; echo done');
    await waitForStatus(api, alice.token, blocker.body.id, ['running']);
    const normals = [await code('n1', 'normal'), await code('n2', 'normal')];
    const high = await code('h', 'high');
    const ids = [...normals, high].map((r) => r.body.id as string);
    for (const id of ids) await waitForStatus(api, alice.token, id, ['completed']);
    const rows = await server.runtime.database.db
      .selectFrom('tasks')
      .select(['id', 'started_at'])
      .where('id', 'in', ids)
      .execute();
    const started = Object.fromEntries(rows.map((r) => [r.id, Number(r.started_at)]));
    for (const n of normals)
      assert.ok(started[high.body.id]! <= started[n.body.id]!, 'high started first');
  });

  test('DELETE of a running task kills its sandbox: the job ends cancelled, the task is gone', async () => {
    const created = await api.post(
      '/tasks',
      {
        title: 'Long',
        task_type: 'code',
        parameters: { language: 'bash', source: 'echo started; sleep 120' },
      },
      { token: alice.token },
    );
    await waitForStatus(api, alice.token, created.body.id, ['running']);
    const jobId = (
      await server.runtime.database.db
        .selectFrom('tasks')
        .select('job_id')
        .where('id', '=', created.body.id)
        .executeTakeFirstOrThrow()
    ).job_id!;
    const res = await api.delete(`/tasks/${created.body.id}`, { token: alice.token });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { message: 'Task cancelled successfully' });
    assert.equal((await api.get(`/tasks/${created.body.id}`, { token: alice.token })).status, 404);
    // Far sooner than the 120 s the program would sleep.
    await waitFor(
      'the running job to be cancelled',
      async () => {
        const job = await server.runtime.database.db
          .selectFrom('jobs')
          .select('status')
          .where('id', '=', jobId)
          .executeTakeFirstOrThrow();
        return job.status === 'cancelled' ? true : undefined;
      },
      90_000,
    );
  });
});
