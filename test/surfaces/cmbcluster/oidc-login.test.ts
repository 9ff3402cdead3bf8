/**
 * CMBCluster sign-in through a real OpenID Connect provider started in-process: the
 * whole browser flow, the session cookie on this and other surfaces, linking password
 * accounts, and every way a callback can be bad (400, nothing created).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertErrorShape } from '../../helpers/error-shapes.ts';
import { type Client, client } from '../../helpers/http.ts';
import { startServer, type TestServer } from '../../helpers/server.ts';
import { createUser } from '../../helpers/users.ts';
import { Browser, startProvider, type TestProvider } from './oidc-fixture.ts';

const DASHBOARD = 'http://dashboard.example/app';
let provider: TestProvider;
let server: TestServer;
/** The same provider, with sign-in limited to one email domain. */
let strict: TestServer;
let api: Client;
let callbackPrefix: string;
let cookieName: string;

before(async () => {
  provider = await startProvider();
  server = await startServer({
    env: {
      TASKLANE_OIDC_ISSUER: provider.issuer,
      TASKLANE_OIDC_CLIENT_ID: provider.clientId,
      TASKLANE_OIDC_CLIENT_SECRET: provider.clientSecret,
      TASKLANE_DASHBOARD_URL: DASHBOARD,
      TASKLANE_SESSION_COOKIE: 'cmb_session',
    },
  });
  strict = await startServer({
    env: {
      TASKLANE_OIDC_ISSUER: provider.issuer,
      TASKLANE_OIDC_CLIENT_ID: provider.clientId,
      TASKLANE_OIDC_CLIENT_SECRET: provider.clientSecret,
      TASKLANE_OIDC_ALLOWED_DOMAINS: 'Example.ORG',
    },
  });
  api = client(server.url);
  callbackPrefix = `${server.url}/cmb/auth/callback`;
  cookieName = 'cmb_session';
  provider.configure(callbackPrefix, `${strict.url}/cmb/auth/callback`);
  provider.accounts.set('ada', { email: 'ada@example.org', email_verified: true, name: 'Ada' });
});
after(async () => {
  await server.close();
  await strict.close();
  await provider.close();
});

const userCount = async () =>
  Number(
    (
      await server.runtime.database.db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Signs in through the provider and visits the callback; returns the browser and the callback response. */
async function signIn(account: string) {
  const browser = new Browser();
  const callback = await browser.signInAtProvider(
    `${server.url}/cmb/auth/login`,
    account,
    callbackPrefix,
  );
  const res = await browser.fetch(callback);
  return { browser, callback, res };
}

describe('POST /auth/login', () => {
  test('{status, auth_url, message}: the provider URL with PKCE (S256), state and nonce', async () => {
    const res = await api.post('/cmb/auth/login');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'success');
    assert.equal(res.body.message, 'Redirect to auth_url to login');
    const url = new URL(res.body.auth_url);
    assert.equal(url.origin, provider.issuer);
    assert.equal(url.searchParams.get('client_id'), provider.clientId);
    assert.equal(url.searchParams.get('redirect_uri'), callbackPrefix);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(url.searchParams.get('code_challenge'));
    assert.ok(url.searchParams.get('state'));
    assert.ok(url.searchParams.get('nonce'));
    assert.match(url.searchParams.get('scope')!, /openid/);
    const binding = res.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}_oidc=`));
    assert.ok(binding, 'the login is bound to the browser by a cookie');
    assert.match(binding, /HttpOnly/i);
    assert.match(binding, /SameSite=Lax/i);
  });
});

describe('GET /auth/callback', () => {
  test('a new user: created, session cookie set (HttpOnly, SameSite=Lax), redirected to the dashboard', async () => {
    const before = await userCount();
    const { browser, res } = await signIn('ada');
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), DASHBOARD);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
    assert.ok(cookie);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\//);
    assert.doesNotMatch(cookie, /Secure/i);
    assert.equal(await userCount(), before + 1);

    // The cookie works on this surface…
    const me = await browser.fetch(`${server.url}/cmb/users/me`);
    assert.equal(me.status, 200);
    const body = (await me.json()) as { data: { email: string; role: string } };
    assert.equal(body.data.email, 'ada@example.org');
    assert.equal(body.data.role, 'user');
    // …and on another surface's endpoint (AutoServe's /users/me, Codeep's /v1/auth/me).
    const autoserve = await browser.fetch(`${server.url}/users/me`);
    assert.equal(autoserve.status, 200);
    assert.equal(((await autoserve.json()) as { email: string }).email, 'ada@example.org');
    const codeep = await browser.fetch(`${server.url}/v1/auth/me`);
    assert.equal(codeep.status, 200);

    // Signing in again finds the same user.
    const again = await signIn('ada');
    assert.equal(again.res.status, 302);
    assert.equal(await userCount(), before + 1);
  });

  test('the cookie session is CSRF-checked: a cross-site POST is refused, a same-origin one works', async () => {
    const { browser } = await signIn('ada');
    const body = JSON.stringify({ key: 'FROM_COOKIE', value: 'x' });
    const evil = await browser.fetch(`${server.url}/cmb/user-env-vars`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body,
    });
    assert.equal(evil.status, 403);
    const ok = await browser.fetch(`${server.url}/cmb/user-env-vars`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body,
    });
    assert.equal(ok.status, 200);
  });

  test('a replayed callback (same state and code) is a 400 and creates nothing', async () => {
    provider.accounts.set('replay', { email: 'replay@example.org', email_verified: true });
    const { browser, callback, res } = await signIn('replay');
    assert.equal(res.status, 302);
    const count = await userCount();
    const replay = await browser.fetch(callback);
    assert.equal(replay.status, 400);
    const body = await replay.json();
    assert.deepEqual(Object.keys(body as object).sort(), ['detail', 'error_code', 'timestamp']);
    assert.equal((body as { error_code: string }).error_code, 'BAD_REQUEST');
    assert.equal(await userCount(), count);
  });

  test('forged, missing or expired state, a bad code, another browser: 400, nothing created', async () => {
    provider.accounts.set('eve', { email: 'eve@example.org', email_verified: true });
    const count = await userCount();
    const check = async (res: Response, label: string) => {
      const text = await res.text();
      assert.equal(res.status, 400, `${label}: ${res.status} ${text}`);
      assertErrorShape(
        'cmbcluster',
        { status: res.status, headers: res.headers, body: JSON.parse(text), text },
        label,
      );
    };

    const forgedBrowser = new Browser();
    const forged = await forgedBrowser.signInAtProvider(
      `${server.url}/cmb/auth/login`,
      'eve',
      callbackPrefix,
    );
    const forgedUrl = new URL(forged);
    forgedUrl.searchParams.set('state', 'not-the-state');
    await check(await forgedBrowser.fetch(forgedUrl.href), 'forged state');
    const noState = new URL(forged);
    noState.searchParams.delete('state');
    await check(await forgedBrowser.fetch(noState.href), 'missing state');

    const codeBrowser = new Browser();
    const badCode = new URL(
      await codeBrowser.signInAtProvider(`${server.url}/cmb/auth/login`, 'eve', callbackPrefix),
    );
    badCode.searchParams.set('code', 'forged-code');
    await check(await codeBrowser.fetch(badCode.href), 'bad code');

    const other = await new Browser().signInAtProvider(
      `${server.url}/cmb/auth/login`,
      'eve',
      callbackPrefix,
    );
    await check(await new Browser().fetch(other), 'callback in another browser');

    const slow = new Browser();
    const late = await slow.signInAtProvider(`${server.url}/cmb/auth/login`, 'eve', callbackPrefix);
    await server.runtime.database.db.updateTable('oidc_logins').set({ expires_at: 0 }).execute();
    await check(await slow.fetch(late), 'expired state');

    const denied = new URL(callbackPrefix);
    const deniedBrowser = new Browser();
    const started = await deniedBrowser.fetch(`${server.url}/cmb/auth/login`, { method: 'POST' });
    const state = new URL(
      ((await started.json()) as { auth_url: string }).auth_url,
    ).searchParams.get('state')!;
    denied.searchParams.set('state', state);
    denied.searchParams.set('error', 'access_denied');
    await check(await deniedBrowser.fetch(denied.href), 'provider error');

    assert.equal(await userCount(), count);
  });
});

describe('linking accounts by email', () => {
  test('a password user is linked when the provider has verified the email', async () => {
    const password = await createUser(api, 'linked');
    provider.accounts.set('linked', { email: password.email, email_verified: true });
    const before = await userCount();
    const { browser, res } = await signIn('linked');
    assert.equal(res.status, 302);
    assert.equal(await userCount(), before);
    const viaCookie = (await (await browser.fetch(`${server.url}/cmb/users/me`)).json()) as {
      data: { id: string };
    };
    const viaToken = await api.get('/cmb/users/me', { token: password.token });
    assert.equal(viaCookie.data.id, viaToken.body.data.id);
  });

  test('an unverified email neither links nor creates an account (403)', async () => {
    const password = await createUser(api, 'unverified');
    provider.accounts.set('squatter', { email: password.email, email_verified: false });
    provider.accounts.set('newbie', { email: 'newbie@example.org', email_verified: false });
    const before = await userCount();
    for (const account of ['squatter', 'newbie']) {
      const { res } = await signIn(account);
      assert.equal(res.status, 403, account);
    }
    assert.equal(await userCount(), before);
    const row = await server.runtime.database.db
      .selectFrom('users')
      .select('oidc_subject')
      .where('id', '=', password.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.oidc_subject, null);
  });
});

describe('TASKLANE_OIDC_ALLOWED_DOMAINS', () => {
  test('an allowed domain signs in (any case); another is 403 and creates nothing', async () => {
    provider.accounts.set('outsider', { email: 'out@elsewhere.net', email_verified: true });
    const prefix = `${strict.url}/cmb/auth/callback`;
    const inside = new Browser();
    const ok = await inside.fetch(
      await inside.signInAtProvider(`${strict.url}/cmb/auth/login`, 'ada', prefix),
    );
    assert.equal(ok.status, 302);
    const outside = new Browser();
    const refused = await outside.fetch(
      await outside.signInAtProvider(`${strict.url}/cmb/auth/login`, 'outsider', prefix),
    );
    assert.equal(refused.status, 403);
    const body = (await refused.json()) as { error_code: string; detail: string };
    assert.equal(body.error_code, 'FORBIDDEN');
    const users = await strict.runtime.database.db.selectFrom('users').select('email').execute();
    assert.deepEqual(
      users.map((u) => u.email),
      ['ada@example.org'],
    );
  });
});

describe('GET /auth/logout', () => {
  test('revokes the session and clears the cookie; activity shows login and logout', async () => {
    provider.accounts.set('leaver', { email: 'leaver@example.org', email_verified: true });
    const { browser } = await signIn('leaver');
    const session = browser.cookies.get(cookieName)!;
    const out = await browser.fetch(`${server.url}/cmb/auth/logout`);
    assert.equal(out.status, 200);
    const body = (await out.json()) as Record<string, unknown>;
    assert.equal(body.status, 'success');
    assert.equal(body.message, 'Logged out successfully');
    const cleared = out.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
    assert.ok(cleared);
    assert.match(cleared, /Expires=Thu, 01 Jan 1970/i);
    // The old cookie value no longer works anywhere, even if a client kept it.
    const reused = await api.get('/cmb/users/me', {
      headers: { cookie: `${cookieName}=${session}` },
    });
    assert.equal(reused.status, 401);
    const autoserve = await api.get('/users/me', {
      headers: { cookie: `${cookieName}=${session}` },
    });
    assert.equal(autoserve.status, 401);

    const again = await signIn('leaver');
    const activity = (await (await again.browser.fetch(`${server.url}/cmb/activity`)).json()) as {
      data: { activities: { action: string; status: string }[] };
    };
    const actions = activity.data.activities.map((a) => a.action);
    assert.deepEqual(actions.slice(0, 3), ['login', 'logout', 'login']);
  });

  test('a cross-site navigation cannot log a user out', async () => {
    const { browser } = await signIn('ada');
    const res = await browser.fetch(`${server.url}/cmb/auth/logout`, {
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(res.status, 403);
    assert.equal((await browser.fetch(`${server.url}/cmb/users/me`)).status, 200);
  });
});
