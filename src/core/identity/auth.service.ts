/**
 * Authentication: password login, refresh-token rotation with reuse detection,
 * logout, and resolving a request's credentials to an Actor.
 *
 * Every login starts a session: a UUIDv7 that every access token of that login carries
 * as `fam`, whether it was issued by the login, by a refresh-token rotation or by Task
 * Assistant's access-token reissue, and that names the refresh-token family when there
 * is one. Logout denies the session, so every token of it stops at once, on every
 * replica (the check is in the database).
 */
import { type Ctx, createContext, type UserActor, withTransaction } from '../context.ts';
import { DomainError, unauthenticated } from '../errors.ts';
import { randomToken, sha256Hex } from '../shared/crypto.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { hashApiKey, looksLikeApiKey, revealApiKey } from './api-keys.ts';
import { rememberRow } from './authenticated-row.ts';
import * as repo from './identity.repo.ts';
import type { TokenGrant } from './identity.types.ts';
import { verifyAgainstDummy, verifyPassword } from './passwords.ts';
import { signAccessToken, verifyAccessToken } from './tokens.ts';
import { requireUser } from './users.service.ts';

const INVALID_CREDENTIALS = 'Invalid credentials';

export interface LoginInput {
  /** Username or email, matched without regard to case. */
  login: string;
  password: string;
  /** Also issue a refresh token (AutoServe shows one). */
  withRefreshToken?: boolean;
  /** Access-token lifetime in seconds; the configured default when omitted. */
  ttlSeconds?: number;
}

/**
 * Checks a password. An unknown user and a wrong password get the same error after
 * the same amount of work, so neither the answer nor its timing reveals accounts.
 */
export async function login(ctx: Ctx, input: LoginInput): Promise<TokenGrant> {
  const row = await repo.findUserByLogin(ctx, input.login.trim());
  const ok = row?.password_hash
    ? await verifyPassword(row.password_hash, input.password)
    : await verifyAgainstDummy(input.password);
  if (!row || !ok) throw unauthenticated(INVALID_CREDENTIALS);
  if (!row.is_active) throw unauthenticated('Account is disabled');
  return issueGrant(ctx, row, {
    withRefreshToken: input.withRefreshToken,
    ttlSeconds: input.ttlSeconds,
  });
}

/** The stored refresh token, when it exists, is not revoked and has not expired; else 401. */
async function liveRefreshToken(ctx: Ctx, refreshToken: string, now: number) {
  const stored = await repo.findRefreshToken(ctx, sha256Hex(refreshToken));
  if (!stored || stored.revoked_at !== null || stored.expires_at <= now)
    throw unauthenticated('Invalid refresh token');
  return stored;
}

/** The refresh token's user, who must still be active. */
async function refreshingUser(ctx: Ctx, userId: number): Promise<repo.UserRow> {
  const user = await repo.findUserById(ctx, userId);
  if (!user?.is_active) throw unauthenticated('Invalid refresh token');
  return user;
}

/**
 * Trades a refresh token for a new pair. Each token works once; presenting a used one
 * means it was stolen (or replayed), so its whole family is revoked.
 */
export async function refreshWithToken(
  ctx: Ctx,
  refreshToken: string,
  ttlSeconds?: number,
): Promise<TokenGrant> {
  const now = ctx.clock.now();
  const stored = await liveRefreshToken(ctx, refreshToken, now);
  const rotated =
    stored.rotated_at === null && (await repo.markRefreshTokenRotated(ctx, stored.id, now));
  if (!rotated) {
    await repo.revokeRefreshFamily(ctx, stored.family_id, now);
    ctx.log.warn({ family: stored.family_id }, 'refresh token reuse detected; family revoked');
    throw unauthenticated('Refresh token reuse detected; please log in again');
  }
  const user = await refreshingUser(ctx, stored.user_id);
  return issueGrant(ctx, user, { withRefreshToken: true, sessionId: stored.family_id, ttlSeconds });
}

/**
 * AutoServe's refresh: the spec's refresh response carries no new refresh token, so a
 * client written from it refreshes again with the one it got at login. That token is
 * therefore reusable until it expires or its session ends (logout revokes the family);
 * it only ever yields access tokens of its own session, so logout stops them all. A
 * token already spent by a rotating refresh (Task Assistant's) is refused as a replay.
 */
export async function refreshAccessToken(
  ctx: Ctx,
  refreshToken: string,
  ttlSeconds?: number,
): Promise<TokenGrant> {
  const now = ctx.clock.now();
  const stored = await liveRefreshToken(ctx, refreshToken, now);
  if (stored.rotated_at !== null) {
    await repo.revokeRefreshFamily(ctx, stored.family_id, now);
    ctx.log.warn({ family: stored.family_id }, 'rotated refresh token replayed; family revoked');
    throw unauthenticated('Refresh token reuse detected; please log in again');
  }
  const user = await refreshingUser(ctx, stored.user_id);
  return issueGrant(ctx, user, { sessionId: stored.family_id, ttlSeconds });
}

/**
 * Task Assistant's refresh: the caller presents a still-valid access token and gets a
 * fresh one with a new expiry, in the same session (so logging out with either ends
 * both). The old token stays valid until its own expiry.
 */
export async function reissueAccessToken(ctx: Ctx, ttlSeconds?: number): Promise<TokenGrant> {
  const actor = requireUser(ctx);
  const user = await repo.findUserById(ctx, actor.userId);
  if (!user?.is_active) throw unauthenticated();
  return issueGrant(ctx, user, { sessionId: actor.token?.sessionId, ttlSeconds });
}

/**
 * Ends the session of the access token in use: every access token of it (the login's,
 * refreshed and reissued ones) and its refresh-token family. No token of the session can
 * outlive the longest configured access-token lifetime from now (a revoked session is
 * never reissued), so the deny-list entry lasts that long.
 */
export async function logout(ctx: Ctx): Promise<void> {
  const actor = requireUser(ctx);
  if (!actor.token) return; // an API key is not a session; it ends by being regenerated
  const now = ctx.clock.now();
  const { sessionId, expiresAt } = actor.token;
  await withTransaction(ctx, async (tx) => {
    const until = Math.max(expiresAt, now + longestAccessTokenTtl(ctx) * 1000);
    await repo.denyTokenId(tx, sessionId, until);
    await repo.revokeRefreshFamily(tx, sessionId, now);
  });
}

/** Resolves a bearer JWT to its user, refusing forged, expired, revoked or disabled ones. */
export async function authenticateAccessToken(ctx: Ctx, token: string): Promise<UserActor> {
  const claims = await verifyAccessToken(ctx.keys.jwtKey, token, ctx.clock.now());
  if (!claims || !isUuid(claims.sub)) throw unauthenticated('Invalid or expired token');
  // Tokens from before sessions carry no `fam`: each is then a session of its own.
  const sessionId = claims.fam ?? claims.jti;
  const row = await repo.findUserForToken(ctx, claims.sub, claims.jti, sessionId);
  if (!row || row.revoked || row.tenant_id !== claims.tid) {
    throw unauthenticated('Invalid or expired token');
  }
  if (!row.is_active) throw unauthenticated('Account is disabled');
  const actor: UserActor = {
    ...actorOf(row, 'jwt'),
    token: { jti: claims.jti, expiresAt: claims.exp * 1000, sessionId },
  };
  return rememberRow(actor, row, ctx.clock.now());
}

/**
 * Resolves an API key. When the client also names a user (CodeGuide's X-User-ID, by
 * integer id or UUID) it must be the key's owner.
 */
export async function authenticateApiKey(
  ctx: Ctx,
  apiKey: string,
  claimedUserId?: string,
): Promise<UserActor> {
  if (!looksLikeApiKey(apiKey)) throw unauthenticated('Invalid API key');
  const row = await repo.findUserByApiKeyHash(ctx, hashApiKey(apiKey));
  if (!row) throw unauthenticated('Invalid API key');
  if (
    claimedUserId !== undefined &&
    claimedUserId !== String(row.id) &&
    claimedUserId !== row.uuid
  ) {
    throw unauthenticated('X-User-ID does not match the API key');
  }
  if (!row.is_active) throw unauthenticated('Account is disabled');
  return rememberRow(actorOf(row, 'api_key'), row, ctx.clock.now());
}

/**
 * A context acting as a user, for work done on their behalf (task runs, agent runs,
 * other background jobs): the real user, with their tenant, role and tier, or undefined
 * when the user no longer exists.
 */
export async function actAsUser(base: Ctx, userId: number): Promise<Ctx | undefined> {
  const row = await repo.findUserById(base, userId);
  return row ? createContext(base.runtime, actorOf(row, 'api_key'), base.log) : undefined;
}

/** The actor a user row acts as (also for work done on a user's behalf, like background runs). */
export function actorOf(row: repo.UserRow, authMethod: UserActor['authMethod']): UserActor {
  const user = repo.toUser(row);
  return {
    kind: 'user',
    userId: user.id,
    userUuid: user.uuid,
    tenantId: user.tenantId,
    role: user.role,
    tenantRole: user.tenantRole,
    tier: user.tier,
    authMethod,
  };
}

/**
 * Starts a session for a user whose identity was proven elsewhere (an OpenID Connect
 * provider): the same access token, session id and logout semantics as a password login.
 */
export async function startSession(ctx: Ctx, row: repo.UserRow): Promise<TokenGrant> {
  if (!row.is_active) throw unauthenticated('Account is disabled');
  return issueGrant(ctx, row, {});
}

/** No access token is issued for longer than this (logout's deny-list entry relies on it). */
function longestAccessTokenTtl(ctx: Ctx): number {
  return Math.max(ctx.config.auth.accessTokenTtl, ctx.config.auth.taskAssistantAccessTokenTtl);
}

async function issueGrant(
  ctx: Ctx,
  row: repo.UserRow,
  options: { withRefreshToken?: boolean; sessionId?: string; ttlSeconds?: number },
): Promise<TokenGrant> {
  const now = ctx.clock.now();
  const ttl = options.ttlSeconds ?? ctx.config.auth.accessTokenTtl;
  if (ttl <= 0 || ttl > longestAccessTokenTtl(ctx)) {
    throw new DomainError('internal', 'token lifetime must be positive and configured');
  }
  const sessionId = options.sessionId ?? uuidv7(now);
  let refreshToken: string | undefined;
  if (options.withRefreshToken) {
    refreshToken = randomToken('rt_');
    await repo.insertRefreshToken(ctx, {
      id: uuidv7(now),
      userId: row.id,
      familyId: sessionId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: now + ctx.config.auth.refreshTokenTtl * 1000,
      createdAt: now,
    });
  }
  const access = await signAccessToken(
    ctx.keys.jwtKey,
    { userUuid: row.uuid, tenantId: row.tenant_id, sessionId },
    now,
    ttl,
  );
  return {
    accessToken: access.token,
    expiresIn: ttl,
    refreshToken,
    user: repo.toUser(row),
    apiKey: revealApiKey(ctx.keys.box, row.uuid, row.api_key_ciphertext),
  };
}
