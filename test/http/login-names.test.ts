/**
 * Login names cannot collide (security review, issue 10, finding A). Every surface logs
 * in by username or email; a username shaped like someone's email used to shadow that
 * email's owner ("lowest id wins"), locking them out of Task Assistant, AutoServe and
 * Codeep. Usernames now never contain `@`, an `@` login is looked up as an email only,
 * and lookups normalise case exactly as the unique indexes do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertErrorShape } from '../helpers/error-shapes.ts';
import { type Client, client, type Response } from '../helpers/http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let api: Client;
before(async () => {
  server = await startServer();
  api = client(server.url);
});
after(() => server.close());

const PASSWORD = 'victim-password-1';
const SQUATTER_PASSWORD = 'squatter-password-1';

/** Task Assistant registration (email only: the username is derived). */
async function registerTa(email: string, password = PASSWORD): Promise<{ id: string }> {
  const res = await api.post('/api/v1/auth/register', { email, password, full_name: 'V' });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/**
 * An account as an older version could register it, with an email-shaped username:
 * registered today and then renamed in the database, as the rule now refuses it.
 */
async function registerLegacy(username: string, email: string, password: string) {
  const placeholder = `legacy_${Math.random().toString(36).slice(2, 10)}`;
  const res = await api.post('/users/register', { username: placeholder, email, password });
  assert.equal(res.status, 201, res.text);
  await server.runtime.database.db
    .updateTable('users')
    .set({ username })
    .where('uuid', '=', res.body.id)
    .execute();
}

/** Logs in with `login` on Task Assistant, AutoServe and Codeep; each must reach `email`. */
async function assertLoginsReach(login: string, password: string, email: string) {
  const ta = await api.post('/api/v1/auth/login', { email: login, password });
  assert.equal(ta.status, 200, `Task Assistant: ${ta.text}`);
  const as = await api.post('/auth/login', { username: login, password });
  assert.equal(as.status, 200, `AutoServe: ${as.text}`);
  const codeep = await api.post('/v1/auth/login', { username: login, password });
  assert.equal(codeep.status, 200, `Codeep: ${codeep.text}`);
  assert.equal(codeep.body.user.email, email);
  for (const token of [ta.body.access_token, as.body.access_token]) {
    const me = await api.get('/users/me', { token });
    assert.equal(me.body.email, email);
  }
}

describe('an email-shaped username', () => {
  test('is refused by Codeep and AutoServe registration with a clear 400 in their shapes', async () => {
    const codeep = await api.post('/v1/auth/register', {
      username: 'victim@corp.example',
      email: 'squatter@evil.example',
      password: SQUATTER_PASSWORD,
    });
    assert.equal(codeep.status, 400, codeep.text);
    assertErrorShape('codeep', codeep);
    assert.match(codeep.body.msg, /username.*no @/);

    const autoserve = await api.post('/users/register', {
      username: 'victim@corp.example',
      email: 'squatter2@evil.example',
      password: SQUATTER_PASSWORD,
    });
    assert.equal(autoserve.status, 400, autoserve.text);
    assertErrorShape('autoserve', autoserve);
    assert.equal(autoserve.body.error.code, 'VALIDATION_ERROR');
    assert.equal(autoserve.body.error.details.field, 'username');
    assert.match(autoserve.body.error.details.issue, /no @/);

    // The email's owner registers afterwards and logs in everywhere with it.
    await registerTa('victim@corp.example');
    await assertLoginsReach('victim@corp.example', PASSWORD, 'victim@corp.example');
    await assertLoginsReach('VICTIM@Corp.Example', PASSWORD, 'victim@corp.example');
  });

  test('left by an older version (a row with @ in its username) no longer shadows the email', async () => {
    await registerLegacy('boss@corp.example', 'squatter3@evil.example', SQUATTER_PASSWORD);

    // The email's real owner can still register (emails are only compared with emails)…
    await registerTa('boss@corp.example');
    // …and the older, lower-id row does not win their logins.
    await assertLoginsReach('boss@corp.example', PASSWORD, 'boss@corp.example');
    const asSquatter = await api.post('/auth/login', {
      username: 'boss@corp.example',
      password: SQUATTER_PASSWORD,
    });
    assert.equal(asSquatter.status, 401, asSquatter.text);
  });
});

/** Logs in on AutoServe as `from` and asks PUT /users/me for the email `to`. */
async function changeEmail(from: string, to: string): Promise<Response> {
  const login = await api.post('/auth/login', { username: from, password: PASSWORD });
  assert.equal(login.status, 200, login.text);
  return api.put('/users/me', { email: to }, { token: login.body.access_token });
}

describe('changing an email', () => {
  test("to another user's legacy email-shaped username does not take over that login", async () => {
    await registerLegacy('ceo@corp.example', 'legacy-owner@example.com', PASSWORD);
    // The real owner of ceo@corp.example moves their account to that address.
    await registerTa('ceo-old@corp.example');
    const moved = await changeEmail('ceo-old@corp.example', 'ceo@corp.example');
    assert.equal(moved.status, 200, moved.text);
    await assertLoginsReach('ceo@corp.example', PASSWORD, 'ceo@corp.example');
  });

  test("to another user's email (any case) is a 409", async () => {
    await registerTa('taken@corp.example');
    await registerTa('mover@corp.example');
    const res = await changeEmail('mover@corp.example', 'TAKEN@corp.example');
    assert.equal(res.status, 409, res.text);
    assertErrorShape('autoserve', res);
  });
});

describe('derived usernames', () => {
  test('usernames derived from emails never contain @ and never collide', async () => {
    const taken = await api.post('/v1/auth/register', {
      username: 'alice',
      email: 'alice-codeep@example.com',
      password: PASSWORD,
    });
    assert.equal(taken.status, 201, taken.text);
    await registerTa('Alice@one.example');
    await registerTa('alice@two.example');
    const names = new Set(['alice']);
    for (const email of ['Alice@one.example', 'alice@two.example']) {
      const login = await api.post('/auth/login', { username: email, password: PASSWORD });
      assert.equal(login.status, 200, login.text);
      const me = await api.get('/users/me', { token: login.body.access_token });
      assert.equal(me.body.email, email);
      assert.doesNotMatch(me.body.username, /@/);
      assert.ok(!names.has(me.body.username.toLowerCase()), me.body.username);
      names.add(me.body.username.toLowerCase());
      // The derived username is a login name of its own account.
      await assertLoginsReach(me.body.username.toUpperCase(), PASSWORD, email);
    }
  });
});
