import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignJWT } from 'jose';
import type { Ctx, UserActor } from '../../../src/core/context.ts';
import { DomainError } from '../../../src/core/errors.ts';
import {
  authenticateAccessToken,
  authenticateApiKey,
  login,
  logout,
  refreshWithToken,
} from '../../../src/core/identity/auth.service.ts';
import { updateUserRow } from '../../../src/core/identity/identity.repo.ts';
import {
  getCurrentUser,
  regenerateApiKey,
  registerUser,
} from '../../../src/core/identity/users.service.ts';
import { ManualClock } from '../../../src/core/shared/clock.ts';
import { startRuntime, type TestRuntime } from '../../helpers/runtime.ts';

const clock = new ManualClock('2026-03-01T10:00:00Z');
let t: TestRuntime;
let ctx: Ctx;
before(async () => {
  t = await startRuntime({ clock });
  ctx = t.ctx();
});
after(() => t.close());

const isCode = (code: string) => (error: unknown) =>
  error instanceof DomainError && error.code === code;
let n = 0;
async function newUser(password = 'password-123') {
  n += 1;
  const { user, apiKey } = await registerUser(ctx, {
    username: `user${n}`,
    email: `user${n}@example.com`,
    password,
  });
  return { user, apiKey, password };
}

test('register creates a tenant owned by the user; usernames and emails are unique regardless of case', async () => {
  const { user } = await newUser();
  assert.equal(user.tenantRole, 'owner');
  assert.equal(user.dailyLimit, 100);
  await assert.rejects(
    registerUser(ctx, {
      username: user.username.toUpperCase(),
      email: 'other@example.com',
      password: 'password-123',
    }),
    isCode('conflict'),
  );
  await assert.rejects(
    registerUser(ctx, {
      username: 'someoneelse',
      email: user.email.toUpperCase(),
      password: 'password-123',
    }),
    isCode('conflict'),
  );
});

test('racing registrations for one username: exactly one wins', async () => {
  const results = await Promise.allSettled(
    Array.from({ length: 5 }, (_, i) =>
      registerUser(ctx, {
        username: 'racer',
        email: `racer${i}@example.com`,
        password: 'password-123',
      }),
    ),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') assert.ok(isCode('conflict')(r.reason));
});

test('passwords are stored as argon2id hashes', async () => {
  const { user } = await newUser();
  const row = await t.runtime.database.db
    .selectFrom('users')
    .select('password_hash')
    .where('id', '=', user.id)
    .executeTakeFirstOrThrow();
  assert.match(row.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
});

test('an unknown user and a wrong password get the same error', async () => {
  const { user } = await newUser();
  const wrong = await login(ctx, { login: user.username, password: 'nope-nope' }).catch((e) => e);
  const unknown = await login(ctx, { login: 'ghost-user', password: 'nope-nope' }).catch((e) => e);
  assert.ok(isCode('unauthenticated')(wrong));
  assert.equal(wrong.message, unknown.message);
  assert.equal(wrong.code, unknown.code);
});

test('login works by username or email in any case', async () => {
  const { user, password } = await newUser();
  assert.equal(
    (await login(ctx, { login: user.username.toUpperCase(), password })).user.id,
    user.id,
  );
  assert.equal((await login(ctx, { login: user.email.toUpperCase(), password })).user.id, user.id);
});

test('refresh tokens rotate; reusing a rotated one revokes the whole family', async () => {
  const { user, password } = await newUser();
  const first = await login(ctx, { login: user.username, password, withRefreshToken: true });
  const second = await refreshWithToken(ctx, first.refreshToken!);
  assert.notEqual(second.refreshToken, first.refreshToken);
  // Replay of the used token: refused, and the family (including `second`) dies.
  await assert.rejects(refreshWithToken(ctx, first.refreshToken!), isCode('unauthenticated'));
  await assert.rejects(refreshWithToken(ctx, second.refreshToken!), isCode('unauthenticated'));
  // Access tokens of the revoked family stop working too.
  await assert.rejects(authenticateAccessToken(ctx, second.accessToken), isCode('unauthenticated'));
  // A fresh login starts a new family.
  const third = await login(ctx, { login: user.username, password, withRefreshToken: true });
  assert.ok(await refreshWithToken(ctx, third.refreshToken!));
});

test('two concurrent refreshes with one token: one wins, the family is revoked', async () => {
  const { user, password } = await newUser();
  const grant = await login(ctx, { login: user.username, password, withRefreshToken: true });
  const results = await Promise.allSettled([
    refreshWithToken(ctx, grant.refreshToken!),
    refreshWithToken(ctx, grant.refreshToken!),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
});

test('logout revokes the access token and its refresh family', async () => {
  const { user, password } = await newUser();
  const grant = await login(ctx, { login: user.username, password, withRefreshToken: true });
  const actor = await authenticateAccessToken(ctx, grant.accessToken);
  await logout(t.ctx(actor));
  await assert.rejects(authenticateAccessToken(ctx, grant.accessToken), isCode('unauthenticated'));
  await assert.rejects(refreshWithToken(ctx, grant.refreshToken!), isCode('unauthenticated'));
});

test('forged, expired and malformed tokens are refused', async () => {
  const { user, password } = await newUser();
  const grant = await login(ctx, { login: user.username, password });
  const forged = await new SignJWT({ tid: user.tenantId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.uuid)
    .setIssuer('tasklane')
    .setJti('x')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('not-the-server-secret-not-the-server-secret'));
  await assert.rejects(authenticateAccessToken(ctx, forged), isCode('unauthenticated'));
  await assert.rejects(authenticateAccessToken(ctx, 'garbage'), isCode('unauthenticated'));
  const [h, p, s] = grant.accessToken.split('.');
  const tampered = JSON.parse(Buffer.from(p!, 'base64url').toString());
  tampered.sub = '00000000-0000-7000-8000-000000000000';
  await assert.rejects(
    authenticateAccessToken(
      ctx,
      `${h}.${Buffer.from(JSON.stringify(tampered)).toString('base64url')}.${s}`,
    ),
    isCode('unauthenticated'),
  );
  clock.advance(3601 * 1000);
  try {
    await assert.rejects(
      authenticateAccessToken(ctx, grant.accessToken),
      isCode('unauthenticated'),
    );
  } finally {
    clock.advance(-3601 * 1000);
  }
});

test('API keys: stored hashed and sealed; X-User-ID must be the owner; regenerating kills the old key', async () => {
  const a = await newUser();
  const b = await newUser();
  const row = await t.runtime.database.db
    .selectFrom('users')
    .selectAll()
    .where('id', '=', a.user.id)
    .executeTakeFirstOrThrow();
  assert.notEqual(row.api_key_hash, a.apiKey);
  assert.ok(!row.api_key_ciphertext!.includes(a.apiKey));
  assert.equal((await authenticateApiKey(ctx, a.apiKey)).userId, a.user.id);
  assert.equal((await authenticateApiKey(ctx, a.apiKey, String(a.user.id))).userId, a.user.id);
  assert.equal((await authenticateApiKey(ctx, a.apiKey, a.user.uuid)).userId, a.user.id);
  await assert.rejects(
    authenticateApiKey(ctx, a.apiKey, String(b.user.id)),
    isCode('unauthenticated'),
  );
  const actor = (await authenticateApiKey(ctx, a.apiKey)) as UserActor;
  const fresh = await regenerateApiKey(t.ctx(actor));
  await assert.rejects(authenticateApiKey(ctx, a.apiKey), isCode('unauthenticated'));
  assert.equal((await authenticateApiKey(ctx, fresh)).userId, a.user.id);
});

test('a disabled user is refused everywhere', async () => {
  const { user, apiKey, password } = await newUser();
  const grant = await login(ctx, { login: user.username, password });
  await updateUserRow(ctx, user.id, { is_active: 0 });
  await assert.rejects(login(ctx, { login: user.username, password }), isCode('unauthenticated'));
  await assert.rejects(authenticateAccessToken(ctx, grant.accessToken), isCode('unauthenticated'));
  await assert.rejects(authenticateApiKey(ctx, apiKey), isCode('unauthenticated'));
});

test('profile functions need a user actor', async () => {
  await assert.rejects(getCurrentUser(ctx), isCode('unauthenticated'));
});
