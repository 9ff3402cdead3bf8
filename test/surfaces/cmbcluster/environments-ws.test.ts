/**
 * An operator-defined profile (TASKLANE_ENV_PROFILES_FILE) and WebSockets through the
 * environment proxy: the owner's socket reaches the program, another user's does not.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { makeTempDir } from '../../helpers/db.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser, type TestUser } from '../../helpers/users.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
let server: TestServer;
let api: Client;
let alice: TestUser;
let bob: TestUser;

before(async () => {
  const dir = makeTempDir();
  fs.copyFileSync(path.join(HERE, 'ws-echo.py'), path.join(dir, 'echo.py'));
  fs.writeFileSync(
    path.join(dir, 'profiles.json'),
    JSON.stringify({
      'ws-echo': {
        command: ['/usr/bin/python3', '-u', '/opt/profile/echo.py'],
        files: { '/opt/profile/echo.py': 'echo.py' },
      },
    }),
  );
  server = await startServer({
    env: {
      TASKLANE_ENV_PROFILES_FILE: path.join(dir, 'profiles.json'),
      TASKLANE_ENV_IMAGES: 'echo:latest=ws-echo',
    },
  });
  api = client(server.url);
  alice = await createUser(api, 'ws_a');
  bob = await createUser(api, 'ws_b');
});
after(() => server.close());

function open(url: string, token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
  });
}

test('a WebSocket through the proxy reaches the environment; another user is refused', async () => {
  const created = await api.post(
    '/cmb/environments',
    { image: 'echo:latest' },
    { token: alice.token },
  );
  assert.equal(created.status, 201, created.text);
  const envId = created.body.data.env_id;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const info = await api.get(`/cmb/environments/${envId}/info`, { token: alice.token });
    if (info.body.data.environment.status === 'running') break;
    assert.ok(Date.now() < deadline, `still ${info.body.data.environment.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const plain = await fetch(created.body.data.url, {
    headers: { authorization: `Bearer ${alice.token}` },
  });
  assert.equal(await plain.text(), 'plain http');

  const wsUrl = `${created.body.data.url.replace(/^http/, 'ws')}echo`;
  const socket = await open(wsUrl, alice.token);
  const echoed = new Promise<string>((resolve) =>
    socket.once('message', (m) => resolve(String(m))),
  );
  socket.send('hello through the proxy');
  assert.equal(await echoed, 'hello through the proxy');
  socket.close();

  await assert.rejects(open(wsUrl, bob.token), /HTTP 404/);
  await assert.rejects(open(wsUrl, 'not-a-token'), /HTTP 401/);

  assert.equal((await api.delete('/cmb/environments', { token: alice.token })).status, 200);
  await assert.rejects(open(wsUrl, alice.token), /HTTP 404/);
});
