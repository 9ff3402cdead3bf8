/**
 * Authentication: password login, refresh-token rotation with reuse detection,
 * logout, and resolving a request's credentials to an Actor.
 */
import type { Ctx, UserActor } from '../context.ts';
import { DomainError, unauthenticated } from '../errors.ts';
import { randomToken, sha256Hex } from '../shared/crypto.ts';
import { isUuid, uuidv7 } from '../shared/ids.ts';
import { hashApiKey, looksLikeApiKey, revealApiKey } from './api-keys.ts';
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
  const stored = await repo.findRefreshToken(ctx, sha256Hex(refreshToken));
  if (!stored || stored.revoked_at !== null || stored.expires_at <= now) {
    throw unauthenticated('Invalid refresh token');
  }
  const rotated =
    stored.rotated_at === null && (await repo.markRefreshTokenRotated(ctx, stored.id, now));
  if (!rotated) {
    await repo.revokeRefreshFamily(ctx, stored.family_id, now);
    ctx.log.warn({ family: stored.family_id }, 'refresh token reuse detected; family revoked');
    throw unauthenticated('Refresh token reuse detected; please log in again');
  }
  const user = await repo.findUserById(ctx, stored.user_id);
  if (!user?.is_active) throw unauthenticated('Invalid refresh token');
  return issueGrant(ctx, user, { withRefreshToken: true, familyId: stored.family_id, ttlSeconds });
}

/**
 * Task Assistant's refresh: the caller presents a still-valid access token and gets a
 * fresh one with a new expiry. The old token stays valid until its own expiry.
 */
export async function reissueAccessToken(ctx: Ctx, ttlSeconds?: number): Promise<TokenGrant> {
  const actor = requireUser(ctx);
  const user = await repo.findUserById(ctx, actor.userId);
  if (!user?.is_active) throw unauthenticated();
  return issueGrant(ctx, user, { familyId: actor.token?.familyId, ttlSeconds });
}

/** Revokes the access token in use and the refresh family it came with. */
export async function logout(ctx: Ctx): Promise<void> {
  const actor = requireUser(ctx);
  const now = ctx.clock.now();
  if (actor.token) {
    await repo.denyAccessToken(ctx, actor.token.jti, actor.token.expiresAt);
    if (actor.token.familyId) await repo.revokeRefreshFamily(ctx, actor.token.familyId, now);
  }
}

/** Resolves a bearer JWT to its user, refusing forged, expired, revoked or disabled ones. */
export async function authenticateAccessToken(ctx: Ctx, token: string): Promise<UserActor> {
  const claims = await verifyAccessToken(ctx.keys.jwtKey, token, ctx.clock.now());
  if (!claims || !isUuid(claims.sub)) throw unauthenticated('Invalid or expired token');
  const row = await repo.findUserForToken(ctx, claims.sub, claims.jti, claims.fam);
  if (!row || row.revoked || row.tenant_id !== claims.tid) {
    throw unauthenticated('Invalid or expired token');
  }
  if (!row.is_active) throw unauthenticated('Account is disabled');
  return {
    ...actorOf(row, 'jwt'),
    token: { jti: claims.jti, expiresAt: claims.exp * 1000, familyId: claims.fam },
  };
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
  return actorOf(row, 'api_key');
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

async function issueGrant(
  ctx: Ctx,
  row: repo.UserRow,
  options: { withRefreshToken?: boolean; familyId?: string; ttlSeconds?: number },
): Promise<TokenGrant> {
  const now = ctx.clock.now();
  const ttl = options.ttlSeconds ?? ctx.config.auth.accessTokenTtl;
  if (ttl <= 0) throw new DomainError('internal', 'token lifetime must be positive');
  let refreshToken: string | undefined;
  let familyId = options.familyId;
  if (options.withRefreshToken) {
    familyId ??= uuidv7(now);
    refreshToken = randomToken('rt_');
    await repo.insertRefreshToken(ctx, {
      id: uuidv7(now),
      userId: row.id,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: now + ctx.config.auth.refreshTokenTtl * 1000,
      createdAt: now,
    });
  }
  const access = await signAccessToken(
    ctx.keys.jwtKey,
    { userUuid: row.uuid, tenantId: row.tenant_id, familyId },
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
