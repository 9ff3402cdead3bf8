/**
 * An authenticated /api/v1/ws socket stops working when its credential does (security
 * review, issue 10, finding B): after a logout on another replica, a token's expiry, a
 * regenerated API key or a disabled account it gets an UNAUTHORIZED error and is closed
 * with 4401, so it receives no further events and runs nothing more.
 *
 * Two replicas share one database: `a` re-checks sockets every 100 ms, `b` only hourly
 * (so what `b` refuses, it refuses on the message itself). `c` runs on a manual clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createContext, systemActor } from '../../../src/core/context.ts';
import { authenticateApiKey } from '../../../src/core/identity/auth.service.ts';
import { regenerateApiKey } from '../../../src/core/identity/users.service.ts';
import { ManualClock } from '../../../src/core/shared/clock.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser } from '../../helpers/users.ts';
import { addMember, MISSING_ID, registerUser } from './support.ts';
import { type Message, Socket } from './ws-client.ts';

const SESSION_ENDED = 4401;
const clock = new ManualClock();
let a: TestServer;
let b: TestServer;
let c: TestServer;
const sockets: Socket[] = [];
before(async () => {
  a = await startServer({ env: { TASKLANE_WS_REVALIDATE_MS: '100' } });
  const shared = {
    databaseUrl: a.env.TASKLANE_DATABASE_URL!,
    dataDir: a.env.TASKLANE_DATA_DIR!,
  };
  b = await startServer({ shared, env: { TASKLANE_WS_REVALIDATE_MS: '3600000' } });
  c = await startServer({ clock, env: { TASKLANE_WS_REVALIDATE_MS: '100' } });
});
after(async () => {
  for (const socket of sockets) socket.close();
  await b?.close();
  await a?.close();
  await c?.close();
});

async function open(server: TestServer, token: string): Promise<Socket> {
  const socket = await Socket.open(server.url, token);
  sockets.push(socket);
  return socket;
}

async function logout(api: Client, token: string): Promise<void> {
  const res = await api.post('/auth/logout', undefined, { token });
  assert.equal(res.status, 200, res.text);
}

/** The socket says UNAUTHORIZED (matching `detail`) and is closed with 4401. */
async function assertEnded(socket: Socket, detail: RegExp, extra: Message = {}): Promise<void> {
  const error = await socket.next((m) => m.type === 'error');
  assert.equal(error.error_code, 'UNAUTHORIZED', JSON.stringify(error));
  assert.match(error.detail, detail);
  for (const [key, value] of Object.entries(extra)) assert.equal(error[key], value);
  const closed = await socket.closed;
  assert.equal(closed.code, SESSION_ENDED);
}

describe('a token whose session is logged out', () => {
  test('on another replica: the socket is closed and gets no more events', async () => {
    const user = await registerUser(client(a.url), 'wsrev');
    const mate = await addMember(client(a.url), user);
    // The socket holds a token reissued by Task Assistant's refresh; the logout uses the first.
    const refreshed = await client(a.url).post('/api/v1/auth/refresh', undefined, {
      token: user.token,
    });
    const socket = await open(a, refreshed.body.access_token);
    const watcher = await open(a, mate.token);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few re-checks pass by
    await socket.assertAlive();

    await logout(client(b.url), user.token);
    await assertEnded(socket, /invalid or expired token/i);

    const task = await client(a.url).post(
      '/api/v1/tasks',
      { title: 'After' },
      {
        token: mate.token,
      },
    );
    assert.equal(task.status, 201, task.text);
    const isTask = (m: Message) => m.type === 'event' && m.data?.task_id === task.body.id;
    await watcher.next(isTask); // the tenant's live socket got it…
    assert.ok(!socket.messages.some(isTask), 'the ended socket did not'); // …the ended one not
  });

  test('a message right after the logout is refused without waiting for a re-check', async () => {
    const user = await registerUser(client(b.url), 'wsmsg');
    const socket = await open(b, user.token);
    await logout(client(a.url), user.token);
    socket.send({ type: 'agent_execute', agent_id: MISSING_ID, input: 'go' });
    await assertEnded(socket, /invalid or expired token/i, { request_type: 'agent_execute' });
  });

  test("sockets of one token share their periodic re-checks, never a run's check", async () => {
    const user = await registerUser(client(a.url), 'wsshare');
    const first = await open(a, user.token);
    const second = await open(a, user.token);
    await new Promise((resolve) => setTimeout(resolve, 300)); // shared re-checks pass by
    await first.assertAlive();
    await second.assertAlive();
    await logout(client(b.url), user.token);
    // At once: a re-check the other socket shared a moment ago does not let this run.
    first.send({ type: 'agent_execute', agent_id: MISSING_ID, input: 'go' });
    await assertEnded(first, /invalid or expired token/i, { request_type: 'agent_execute' });
    await assertEnded(second, /invalid or expired token/i);
  });
});

test('an expired token: the socket is closed', async () => {
  const user = await registerUser(client(c.url), 'wsexp');
  const socket = await open(c, user.token);
  await socket.assertAlive();
  clock.advance(86_400_000 + 1000); // past Task Assistant's 24-hour token lifetime
  await assertEnded(socket, /expired/i);
});

test('a regenerated API key: the socket it opened is closed', async () => {
  const user = await createUser(client(a.url), 'wskey');
  const socket = await open(a, user.apiKey);
  await socket.assertAlive();
  const ctx = createContext(a.runtime, systemActor);
  await regenerateApiKey(createContext(a.runtime, await authenticateApiKey(ctx, user.apiKey)));
  await assertEnded(socket, /invalid api key/i);
});

test('a disabled account: its sockets are closed', async () => {
  const user = await createUser(client(a.url), 'wsoff');
  const socket = await open(a, user.token);
  await a.runtime.database.db
    .updateTable('users')
    .set({ is_active: 0 })
    .where('id', '=', user.id)
    .execute();
  await assertEnded(socket, /disabled/i);
});
