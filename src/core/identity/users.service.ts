/**
 * Users and tenants: registration, profile, API keys, tenant membership.
 */
import { type Ctx, inTransaction, type UserActor, withTransaction } from '../context.ts';
import { conflict, DomainError, invalid, notFound, unauthenticated } from '../errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import { issueApiKey, revealApiKey } from './api-keys.ts';
import { recentRow } from './authenticated-row.ts';
import * as repo from './identity.repo.ts';
import type { RegisterInput, User } from './identity.types.ts';
import { hashPassword } from './passwords.ts';

/**
 * No `@`: an email always has one, so a username can never be another account's email
 * (logins take either, and an `@` login is looked up as an email only).
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.+-]{3,64}$/;
const USERNAME_RULE =
  'username must be 3-64 characters of letters, digits and . _ - + (no @: a username cannot be an email address)';
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** The acting user, or 401 for anyone else. */
export function requireUser(ctx: Ctx): UserActor {
  if (ctx.actor.kind !== 'user') throw unauthenticated();
  return ctx.actor;
}

/**
 * Creates a user (and, unless joining one, a tenant they own). Returns the user and the
 * API key's plaintext, which Codeep shows again through getCurrentUserWithApiKey.
 */
export async function registerUser(
  ctx: Ctx,
  input: RegisterInput,
): Promise<{ user: User; apiKey: string }> {
  const email = input.email.trim();
  if (!isEmail(email))
    throw invalid('email', 'value is not a valid email address', 'value_error.email');
  if (input.password !== undefined) checkPassword(input.password);
  if (input.username !== undefined && !USERNAME_PATTERN.test(input.username)) {
    throw invalid('username', USERNAME_RULE, 'value_error');
  }
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  // A derived username can lose a race for its name to another registration; it is
  // derived again (in a fresh transaction) rather than refusing a user who never chose one.
  const retries = input.username === undefined && !inTransaction(ctx) ? 2 : 0;
  for (let attempt = 0; ; attempt++) {
    try {
      return await insertNewUser(ctx, input, email, passwordHash);
    } catch (error) {
      if (!repo.isDuplicate(error)) throw error;
      if (attempt >= retries) {
        // Two registrations racing for one name: the unique index decides, the loser gets 409.
        throw conflict('Username or email already exists');
      }
    }
  }
}

async function insertNewUser(
  ctx: Ctx,
  input: RegisterInput,
  email: string,
  passwordHash: string | null,
): Promise<{ user: User; apiKey: string }> {
  const now = ctx.clock.now();
  return withTransaction(ctx, async (tx) => {
    const username = input.username ?? (await deriveUsername(tx, email));
    const clashes = await repo.findUserByUsernameOrEmail(tx, username, email);
    if (clashes.length > 0) throw conflict('Username or email already exists');

    let tenantId = input.tenantId;
    if (tenantId === undefined) {
      tenantId = uuidv7(now);
      await repo.insertTenant(tx, {
        id: tenantId,
        name: input.tenantName?.trim() || username,
        createdAt: now,
        updatedAt: now,
      });
    }
    const uuid = uuidv7(now);
    const key = issueApiKey(tx.keys.box, uuid);
    const row = await repo.insertUser(tx, {
      uuid,
      tenant_id: tenantId,
      username,
      email,
      full_name: input.fullName ?? null,
      password_hash: passwordHash,
      role: input.role ?? 'user',
      tenant_role: input.tenantRole ?? (input.tenantId === undefined ? 'owner' : 'member'),
      tier: input.tier ?? tx.config.users.defaultTier,
      daily_limit: input.dailyLimit ?? tx.config.users.defaultDailyLimit,
      is_active: 1,
      api_key_hash: key.hash,
      api_key_ciphertext: key.ciphertext,
      oidc_issuer: null,
      oidc_subject: null,
      created_at: now,
      updated_at: now,
    });
    return { user: repo.toUser(row), apiKey: key.plaintext };
  });
}

/** The caller's row: the one they were just authenticated with, or read now. */
function currentRow(ctx: Ctx): Promise<repo.UserRow | undefined> {
  const actor = requireUser(ctx);
  const recent = recentRow(actor, ctx.clock.now());
  return recent ? Promise.resolve(recent) : repo.findUserById(ctx, actor.userId);
}

export async function getCurrentUser(ctx: Ctx): Promise<User> {
  const row = await currentRow(ctx);
  if (!row) throw notFound('User');
  return repo.toUser(row);
}

export async function updateCurrentUser(
  ctx: Ctx,
  changes: { fullName?: string | null; email?: string },
): Promise<User> {
  const actor = requireUser(ctx);
  const set: Parameters<typeof repo.updateUserRow>[2] = { updated_at: ctx.clock.now() };
  if (changes.fullName !== undefined) set.full_name = changes.fullName;
  if (changes.email !== undefined) {
    const email = changes.email.trim();
    if (!isEmail(email))
      throw invalid('email', 'value is not a valid email address', 'value_error.email');
    if (await repo.emailTakenByOther(ctx, email, actor.userId))
      throw conflict('Email already in use');
    set.email = email;
  }
  try {
    const row = await repo.updateUserRow(ctx, actor.userId, set);
    if (!row) throw notFound('User');
    return repo.toUser(row);
  } catch (error) {
    if (repo.isDuplicate(error)) throw conflict('Email already in use');
    throw error;
  }
}

/** The acting user with their API key in clear (Codeep shows it on every user object). */
export async function getCurrentUserWithApiKey(
  ctx: Ctx,
): Promise<{ user: User; apiKey: string | null }> {
  const row = await currentRow(ctx);
  if (!row) throw notFound('User');
  return {
    user: repo.toUser(row),
    apiKey: revealApiKey(ctx.keys.box, row.uuid, row.api_key_ciphertext),
  };
}

/** Every user of the platform, for platform admins (role `admin`) only. */
export async function listAllUsers(ctx: Ctx, limit = 1000): Promise<User[]> {
  const actor = requireUser(ctx);
  if (actor.role !== 'admin') throw new DomainError('forbidden', 'Admin access required');
  return (await repo.listAllUsers(ctx, limit)).map(repo.toUser);
}

/** Replaces the acting user's API key; the old one stops working at once. */
export async function regenerateApiKey(ctx: Ctx): Promise<string> {
  const actor = requireUser(ctx);
  const key = issueApiKey(ctx.keys.box, actor.userUuid);
  await repo.updateUserRow(ctx, actor.userId, {
    api_key_hash: key.hash,
    api_key_ciphertext: key.ciphertext,
    updated_at: ctx.clock.now(),
  });
  return key.plaintext;
}

export function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN) {
    throw invalid(
      'password',
      `password must be at least ${PASSWORD_MIN} characters`,
      'value_error',
    );
  }
  if (password.length > PASSWORD_MAX) {
    throw invalid('password', `password must be at most ${PASSWORD_MAX} characters`, 'value_error');
  }
}

// Pragmatic RFC 5322 subset: one @, no spaces, a dot in the domain.
const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;
export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL_RE.test(value);
}

/**
 * Users who register with only an email (Task Assistant, OIDC) get a username from its
 * local part, kept to USERNAME_PATTERN (so never an `@`) and unique like any other.
 */
async function deriveUsername(ctx: Ctx, email: string): Promise<string> {
  const base =
    (email.split('@')[0] ?? 'user').replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 48) || 'user';
  const stem = base.length >= 3 ? base : `${base}user`;
  if (!(await repo.usernameTaken(ctx, stem))) return stem;
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = `${stem}-${Math.floor(Math.random() * 1e6)}`;
    if (!(await repo.usernameTaken(ctx, candidate))) return candidate;
  }
  throw new DomainError('conflict', 'Could not derive a unique username');
}
