/**
 * Access tokens: HS256 JWTs (jose) with `sub` (the user's UUID), `tid` (tenant),
 * `jti`, `iat`, `exp` and `fam`: the session (login) the token belongs to, which is also
 * the id of its refresh-token family when it has one, so logout can revoke them all.
 */
import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { uuidv7 } from '../shared/ids.ts';

const ISSUER = 'tasklane';

export interface AccessClaims {
  sub: string;
  tid: string;
  jti: string;
  iat: number;
  exp: number;
  /** The session; absent only on tokens issued before every token carried one. */
  fam?: string;
}

export async function signAccessToken(
  key: KeyObject,
  claims: { userUuid: string; tenantId: string; sessionId: string },
  nowMs: number,
  ttlSeconds: number,
): Promise<{ token: string; jti: string; expiresAt: number }> {
  const jti = uuidv7(nowMs);
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + ttlSeconds;
  const payload: Record<string, unknown> = { tid: claims.tenantId, fam: claims.sessionId };
  const token = await new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userUuid)
    .setIssuer(ISSUER)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  return { token, jti, expiresAt: exp * 1000 };
}

/**
 * Signature checks already passed, per key. Whether a token's signature is valid never
 * changes, so a bounded cache skips jose's WebCrypto round trip (~100 µs) for tokens
 * seen recently; expiry is still checked on every call, and revocation is checked by
 * the caller against the database.
 */
const VERIFIED_CACHE_SIZE = 10_000;
const verifiedByKey = new WeakMap<KeyObject, Map<string, AccessClaims>>();

/** Verifies signature, issuer and expiry; undefined for anything that is not a valid token. */
export async function verifyAccessToken(
  key: KeyObject,
  token: string,
  nowMs: number,
): Promise<AccessClaims | undefined> {
  let cache = verifiedByKey.get(key);
  if (!cache) {
    cache = new Map();
    verifiedByKey.set(key, cache);
  }
  const cached = cache.get(token);
  if (cached) return cached.exp * 1000 > nowMs ? cached : undefined;
  const claims = await verifyWithJose(key, token, nowMs);
  if (claims) {
    if (cache.size >= VERIFIED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(token, claims);
  }
  return claims;
}

async function verifyWithJose(
  key: KeyObject,
  token: string,
  nowMs: number,
): Promise<AccessClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      currentDate: new Date(nowMs),
    });
    if (
      typeof payload.sub !== 'string' ||
      typeof payload.tid !== 'string' ||
      typeof payload.jti !== 'string' ||
      typeof payload.exp !== 'number'
    ) {
      return undefined;
    }
    return payload as unknown as AccessClaims;
  } catch (error) {
    if (error instanceof errors.JOSEError) return undefined;
    throw error;
  }
}
