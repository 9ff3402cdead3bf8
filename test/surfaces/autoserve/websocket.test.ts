/**
 * AutoServe's /ws/events?token=…: the spec's task_status, system_metrics and
 * scaling_event shapes, own tasks only, refused tokens, logout, and (on PostgreSQL)
 * events from another process.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { SCALING_EVENT_TYPE } from '../../../src/core/autoscale/autoscale.types.ts';
import { createContext, systemActor } from '../../../src/core/context.ts';
import { recordEvent } from '../../../src/core/events/outbox.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { type AutoServeUser, autoserveUser, ISO, upload, waitFor } from './support.ts';

type Message = Record<string, any>;

/** A client that keeps every message and the close code. */
class Events {
  readonly messages: Message[] = [];
  /** Binary frames received: the spec's messages are JSON text frames. */
  binaryFrames = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly ws: WebSocket;
  constructor(baseUrl: string, query: string) {
    this.ws = new WebSocket(`${baseUrl.replace('http', 'ws')}/ws/events${query}`);
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames++;
      this.messages.push(JSON.parse(String(data)));
    });
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }
  static async open(baseUrl: string, token: string) {
    const events = new Events(baseUrl, `?token=${encodeURIComponent(token)}`);
    await once(events.ws, 'open');
    return events;
  }
  find(what: string, match: (m: Message) => boolean) {
    return waitFor(what, async () => this.messages.find(match), 180_000);
  }
  close() {
    this.ws.close();
  }
}

let server: TestServer;
let api: Client;
let alice: AutoServeUser;
let bob: AutoServeUser;

before(async () => {
  server = await startServer({ workers: 1, env: { TASKLANE_WS_METRICS_INTERVAL_MS: '500' } });
  api = client(server.url);
  alice = await autoserveUser(api, 'wsalice');
  bob = await autoserveUser(api, 'wsbob');
});
after(() => server.close());

const codeTask = (user: AutoServeUser, title: string) =>
  api.post(
    '/tasks',
    { title, task_type: 'code', parameters: { language: 'bash', source: 'echo hi' } },
    { token: user.token },
  );

describe('refused connections', () => {
  test('no token: closed with 4401 and a reason', async () => {
    const events = new Events(server.url, '');
    const { code, reason } = await events.closed;
    assert.equal(code, 4401);
    assert.match(reason, /token/);
    assert.equal(events.messages.length, 0);
  });

  test('a bad token: closed with 4401 "Invalid or expired token"', async () => {
    const events = new Events(server.url, '?token=not-a-jwt');
    const { code, reason } = await events.closed;
    assert.equal(code, 4401);
    assert.equal(reason, 'Invalid or expired token');
  });
});

describe('events', () => {
  test('system_metrics at once and again: exactly the spec fields', async () => {
    const events = await Events.open(server.url, alice.token);
    try {
      await waitFor(
        'two system_metrics',
        async () => events.messages.filter((m) => m.type === 'system_metrics')[1],
      );
      const m = events.messages.find((x) => x.type === 'system_metrics')!;
      assert.deepEqual(Object.keys(m).sort(), ['data', 'type']);
      assert.deepEqual(Object.keys(m.data).sort(), [
        'active_connections',
        'cpu_usage',
        'memory_usage',
        'timestamp',
      ]);
      assert.equal(typeof m.data.cpu_usage, 'number');
      assert.ok(m.data.memory_usage > 0 && m.data.memory_usage <= 100);
      assert.ok(m.data.active_connections >= 1, 'this socket is a connection');
      assert.match(m.data.timestamp, ISO);
    } finally {
      events.close();
    }
  });

  test("task_status for the user's own tasks only: pending → running → completed", async () => {
    const events = await Events.open(server.url, alice.token);
    try {
      const other = await codeTask(bob, 'not yours');
      const mine = await codeTask(alice, 'mine');
      const done = await events.find(
        'completed',
        (m) =>
          m.type === 'task_status' &&
          m.data.task_id === mine.body.id &&
          m.data.status === 'completed',
      );
      assert.deepEqual(Object.keys(done).sort(), ['data', 'type']);
      assert.deepEqual(Object.keys(done.data).sort(), [
        'progress',
        'status',
        'task_id',
        'timestamp',
      ]);
      assert.equal(done.data.progress, 100);
      assert.match(done.data.timestamp, ISO);
      const statuses = events.messages
        .filter((m) => m.type === 'task_status' && m.data.task_id === mine.body.id)
        .map((m) => m.data.status);
      assert.equal(statuses[0], 'pending');
      assert.ok(statuses.includes('running'));
      // Bob's task ran on the same worker first; none of its events reached Alice.
      await api.get(`/tasks/${other.body.id}`, { token: bob.token });
      assert.ok(!events.messages.some((m) => m.data?.task_id === other.body.id));
      assert.ok(events.messages.some((m) => m.type === 'system_metrics'));
      assert.equal(events.binaryFrames, 0, 'task_status and system_metrics come as text frames');
    } finally {
      events.close();
    }
  });

  test('task_status carries the progress a runner reports (data_processing: 20 while converting)', async () => {
    const events = await Events.open(server.url, alice.token);
    try {
      const up = await upload(server.url, alice.token, { name: 'p.csv', content: 'a\n1\n' });
      assert.equal(up.status, 200, up.text);
      const task = await api.post(
        '/tasks',
        { title: 'p', task_type: 'data_processing', parameters: { input_file: up.body.id } },
        { token: alice.token },
      );
      const step = await events.find(
        'a progress step',
        (m) =>
          m.type === 'task_status' && m.data.task_id === task.body.id && m.data.progress === 20,
      );
      assert.equal(step.data.status, 'running');
      await events.find(
        'completed',
        (m) =>
          m.type === 'task_status' &&
          m.data.task_id === task.body.id &&
          m.data.status === 'completed',
      );
    } finally {
      events.close();
    }
  });

  test('scaling_event: a decision the autoscaler records (autoscale.scaled), in the spec shape', async () => {
    const events = await Events.open(server.url, alice.token);
    try {
      await events.find('first metrics', (m) => m.type === 'system_metrics');
      const ctx = createContext(server.runtime, systemActor);
      await recordEvent(ctx, {
        type: SCALING_EVENT_TYPE,
        tenantId: null,
        userId: null,
        payload: {
          service: 'worker',
          action: 'scale_up',
          from_replicas: 3,
          to_replicas: 5,
          reason: 'High CPU usage',
          timestamp: '2024-01-01T12:00:00.000Z',
        },
      });
      const m = await events.find('scaling_event', (x) => x.type === 'scaling_event');
      assert.deepEqual(m, {
        type: 'scaling_event',
        data: {
          service: 'worker',
          action: 'scale_up',
          from_replicas: 3,
          to_replicas: 5,
          reason: 'High CPU usage',
          timestamp: '2024-01-01T12:00:00.000Z',
        },
      });
    } finally {
      events.close();
    }
  });

  test('logout closes the socket with 4401', async () => {
    const user = await autoserveUser(api, 'wsout');
    const events = await Events.open(server.url, user.token);
    await events.find('first metrics', (m) => m.type === 'system_metrics');
    assert.equal((await api.post('/auth/logout', undefined, { token: user.token })).status, 200);
    const { code } = await events.closed;
    assert.equal(code, 4401);
  });
});

describe('across processes', {
  skip: process.env.TEST_DB !== 'postgres' && 'SQLite events are in-process only',
}, () => {
  test('a socket on one server sees a task created and run through another', async () => {
    const other = await startServer({
      workers: 0,
      // One deployment: the same Redis namespace for the event fan-out.
      env: { TASKLANE_REDIS_PREFIX: server.env.TASKLANE_REDIS_PREFIX! },
      shared: {
        databaseUrl: server.env.TASKLANE_DATABASE_URL!,
        dataDir: server.env.TASKLANE_DATA_DIR!,
      },
    });
    try {
      const events = await Events.open(other.url, alice.token);
      try {
        await events.find('first metrics', (m) => m.type === 'system_metrics');
        const task = await codeTask(alice, 'elsewhere');
        await events.find(
          'completed elsewhere',
          (m) =>
            m.type === 'task_status' &&
            m.data.task_id === task.body.id &&
            m.data.status === 'completed',
        );
      } finally {
        events.close();
      }
    } finally {
      await other.close();
    }
  });
});
