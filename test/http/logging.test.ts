/**
 * A register/login/refresh/logout run leaves no password, token or key in the logs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { client } from '../helpers/http.ts';
import { startServer } from '../helpers/server.ts';

test('no password, token or key reaches the log stream', async () => {
  const server = await startServer({ env: { TASKLANE_LOG_LEVEL: 'trace' } });
  try {
    const api = client(server.url);
    const password = 'S3cret-Passw0rd-XYZ';
    const secrets: string[] = [password];
    const reg = await api.post('/v1/auth/register', {
      username: 'logged',
      email: 'logged@example.com',
      password,
    });
    secrets.push(reg.body.user.api_key);
    const as = await api.post('/auth/login', { username: 'logged', password });
    secrets.push(as.body.access_token, as.body.refresh_token);
    const refreshed = await api.post('/auth/refresh', { refresh_token: as.body.refresh_token });
    // AutoServe's refresh answers an access token only (the login's refresh token stays).
    secrets.push(refreshed.body.access_token);
    await api.get('/users/me', { headers: { 'x-api-key': reg.body.user.api_key } });
    await api.get(`/users/me?token=${refreshed.body.access_token}`, {
      token: refreshed.body.access_token,
    });
    await api.get('/v1/auth/me', {
      headers: { cookie: `tasklane_session=${refreshed.body.access_token}` },
    });
    await api.post('/auth/login', { username: 'logged', password: `${password}-wrong` });
    await api.post('/auth/logout', undefined, { token: refreshed.body.access_token });
    await api.post('/auth/refresh', { refresh_token: as.body.refresh_token }); // after logout: refused

    const logs = server.logs.join('\n');
    assert.ok(server.logs.length > 10, 'requests were logged');
    assert.match(logs, /"url":"\/users\/me\?token=\[redacted\]"/);
    for (const secret of secrets) {
      assert.ok(!logs.includes(secret), `a secret leaked into the logs: ${secret.slice(0, 12)}…`);
      // Fragments too: no JWT signature or key body.
      assert.ok(!logs.includes(secret.slice(-20)), 'a fragment of a secret leaked');
    }
  } finally {
    await server.close();
  }
});
