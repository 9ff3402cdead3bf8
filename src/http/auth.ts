/**
 * Resolves who is calling, the same way on every surface: `X-API-Key` (with an optional
 * `X-User-ID` that must be the key's owner), `Authorization: Bearer` (a JWT, or an API
 * key), or the session cookie. A state-changing request authenticated by cookie alone
 * must also pass a same-origin check (CSRF).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { anonymousActor, createContext, type Runtime, type UserActor } from '../core/context.ts';
import { DomainError, unauthenticated } from '../core/errors.ts';
import { looksLikeApiKey } from '../core/identity/api-keys.ts';
import { authenticateAccessToken, authenticateApiKey } from '../core/identity/auth.service.ts';
import type { AuthMode } from './fastify-types.ts';

type Credentials =
  | { kind: 'none' }
  | { kind: 'jwt'; token: string; via: 'bearer' | 'cookie' }
  | { kind: 'api_key'; key: string; userId?: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCredentials(request: FastifyRequest, cookieName: string): Credentials {
  const apiKey = headerValue(request, 'x-api-key');
  if (apiKey) return { kind: 'api_key', key: apiKey, userId: headerValue(request, 'x-user-id') };
  const token = bearerToken(request);
  if (token !== undefined) return bearerCredentials(token, headerValue(request, 'x-user-id'));
  const cookie = request.cookies?.[cookieName];
  if (cookie) return { kind: 'jwt', token: cookie, via: 'cookie' };
  return { kind: 'none' };
}

/** What a bearer token is: an API key (`tl_…`) or a JWT; '' (malformed) is refused as a bad JWT. */
function bearerCredentials(token: string, userId?: string): Credentials {
  if (looksLikeApiKey(token)) return { kind: 'api_key', key: token, userId };
  return { kind: 'jwt', token, via: 'bearer' };
}

/**
 * Authenticates a token that arrives outside the Authorization header (a WebSocket's
 * auth message) exactly as `Authorization: Bearer <token>` is: same credentials, same path.
 */
export function authenticateBearer(
  runtime: Runtime,
  request: Pick<FastifyRequest, 'ip' | 'log'>,
  token: unknown,
): Promise<UserActor> {
  if (typeof token !== 'string' || token === '')
    return Promise.reject(unauthenticated('token is required'));
  return resolveActor(runtime, request, bearerCredentials(token));
}

/** The token of `Authorization: Bearer <token>`: undefined without the header, '' when it is malformed. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const authorization = headerValue(request, 'authorization');
  if (!authorization) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1] ?? '';
}

/** Resolves credentials to a user; throws 401 for any that are present but invalid. */
export async function resolveActor(
  runtime: Runtime,
  request: Pick<FastifyRequest, 'ip' | 'log'>,
  credentials: Credentials,
): Promise<UserActor> {
  const ctx = createContext(runtime, anonymousActor(request.ip), request.log);
  let actor: UserActor;
  if (credentials.kind === 'api_key') {
    actor = await authenticateApiKey(ctx, credentials.key, credentials.userId);
  } else if (credentials.kind === 'jwt') {
    if (!credentials.token) throw unauthenticated('Invalid or expired token');
    actor = await authenticateAccessToken(ctx, credentials.token);
    if (credentials.via === 'cookie') actor.authMethod = 'session';
  } else {
    throw unauthenticated();
  }
  // Set on the actor just made (not a copy): it keys the row it was authenticated with.
  actor.ip = request.ip;
  return actor;
}

/** The onRequest hook every surface installs; the route's `config.auth` picks the mode. */
export function authHook(runtime: Runtime) {
  const cookieName = runtime.config.auth.sessionCookieName;
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const mode: AuthMode = request.routeOptions.config.auth ?? 'required';
    request.actor = anonymousActor(request.ip);
    if (mode === 'none') return;
    const credentials = readCredentials(request, cookieName);
    if (credentials.kind === 'none') {
      if (mode === 'required') throw unauthenticated();
      return;
    }
    try {
      request.actor = await resolveActor(runtime, request, credentials);
    } catch (error) {
      // On a public route stale credentials are ignored rather than refused.
      if (mode === 'optional' && error instanceof DomainError && error.code === 'unauthenticated')
        return;
      throw error;
    }
    if (request.actor.kind === 'user' && request.actor.authMethod === 'session') {
      checkSameOrigin(runtime, request);
    }
  };
}

/**
 * CSRF guard for cookie sessions (OWASP "verify origin with standard headers"): a
 * state-changing request whose Origin is another site, or that the browser marks
 * cross-site, is refused. Clients that send no such headers (curl, SDKs) are not
 * browsers and carry no ambient cookie risk.
 */
function checkSameOrigin(runtime: Runtime, request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = headerValue(request, 'origin');
  if (origin !== undefined) {
    const allowed = new Set([
      new URL(runtime.config.publicUrl).origin,
      `${request.protocol}://${request.host}`,
      ...runtime.config.http.corsOrigins,
    ]);
    if (!allowed.has(origin))
      throw new DomainError('forbidden', 'Cross-site request refused (CSRF check)');
    return;
  }
  if (headerValue(request, 'sec-fetch-site') === 'cross-site') {
    throw new DomainError('forbidden', 'Cross-site request refused (CSRF check)');
  }
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}
