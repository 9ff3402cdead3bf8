/**
 * Sign-in with OpenID Connect (openid-client): the authorization code flow with PKCE,
 * `state` and `nonce`. A started login is kept in the database (its state hashed, its
 * nonce and PKCE verifier sealed) and taken exactly once by the callback, so a replayed,
 * forged or expired state is refused before anything is exchanged or created. The login
 * is also bound to the browser that started it (a random value the surface keeps in a
 * cookie), so a callback URL planted in someone else's browser signs nobody in (login
 * CSRF).
 *
 * The provider's user becomes a Tasklane user like any other: found by (issuer, subject),
 * else linked to the account with the same email when the provider says that email is
 * verified, else created (with a personal tenant). The session is the same as a password
 * login's: an access token whose logout revokes the whole session.
 */
import type * as OidcClient from 'openid-client';
import type { OidcConfig } from '../../config/cmbcluster.ts';
import { recordActivity } from '../activity/activity.service.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { conflict, DomainError, forbidden } from '../errors.ts';
import { randomToken, safeEqual, sha256Hex } from '../shared/crypto.ts';
import { logout, startSession } from './auth.service.ts';
import * as identity from './identity.repo.ts';
import type { TokenGrant } from './identity.types.ts';
import * as repo from './oidc.repo.ts';
import { registerUser } from './users.service.ts';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** openid-client is loaded by the first OIDC login, not by every server (most have none). */
const openidClient = () => import('openid-client');

/** Discovery documents, per issuer and client, fetched once per process (again after a failure). */
const discovered = new Map<string, Promise<OidcClient.Configuration>>();

async function discover(
  settings: OidcConfig & { clientId: string },
): Promise<OidcClient.Configuration> {
  const oidc = await openidClient();
  const key = `${settings.issuer}\n${settings.clientId}`;
  let pending = discovered.get(key);
  if (!pending) {
    const issuer = new URL(settings.issuer);
    // Plain HTTP only for a provider on this machine (development, tests).
    const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
    pending = oidc
      .discovery(
        issuer,
        settings.clientId,
        undefined,
        settings.clientSecret ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.None(),
        insecure ? { execute: [oidc.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      )
      .catch((error: unknown) => {
        discovered.delete(key);
        throw error;
      });
    discovered.set(key, pending);
  }
  return pending;
}

async function providerConfig(ctx: Ctx): Promise<OidcClient.Configuration> {
  const settings = ctx.config.cmbcluster.oidc;
  const clientId = settings.clientId;
  if (!clientId) throw new DomainError('unavailable', 'OpenID Connect login is not configured');
  try {
    return await discover({ ...settings, clientId });
  } catch (error) {
    ctx.log.warn({ err: error, issuer: settings.issuer }, 'OIDC discovery failed');
    throw new DomainError('unavailable', 'The identity provider cannot be reached');
  }
}

interface SealedLogin {
  nonce: string;
  verifier: string;
  /** sha256 of the browser binding cookie's value. */
  browser: string;
}

const sealContext = (stateHash: string) => `oidc-login:${stateHash}`;

/**
 * Starts a login: the provider URL to send the browser to, and the value the browser
 * must bring back to the callback (the surface keeps it in an HttpOnly cookie).
 */
export async function startOidcLogin(
  ctx: Ctx,
  input: { redirectUri: string },
): Promise<{ authUrl: string; browserBinding: string }> {
  const config = await providerConfig(ctx);
  const oidc = await openidClient();
  const now = ctx.clock.now();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const verifier = oidc.randomPKCECodeVerifier();
  const browserBinding = randomToken('');
  const stateHash = sha256Hex(state);
  const sealed: SealedLogin = { nonce, verifier, browser: sha256Hex(browserBinding) };
  await repo.insertOidcLogin(ctx, {
    state_hash: stateHash,
    sealed: ctx.keys.box.seal(JSON.stringify(sealed), sealContext(stateHash)),
    redirect_uri: input.redirectUri,
    created_at: now,
    expires_at: now + ctx.config.cmbcluster.oidc.stateTtlSeconds * 1000,
  });
  const authUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: input.redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state,
    nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  return { authUrl: authUrl.href, browserBinding };
}

const badCallback = (message: string) => new DomainError('validation', message);

/**
 * Finishes a login from the provider's redirect (its query parameters) and the browser
 * binding cookie. Any problem with state or code is a validation error and creates
 * nothing; the state is used up either way.
 */
export async function completeOidcLogin(
  ctx: Ctx,
  input: { query: Record<string, string | undefined>; browserBinding: string | undefined },
): Promise<{ grant: TokenGrant; created: boolean }> {
  const config = await providerConfig(ctx);
  const oidc = await openidClient();
  const state = input.query.state;
  if (!state) throw badCallback('Missing state parameter');
  const stateHash = sha256Hex(state);
  const login = await repo.takeOidcLogin(ctx, stateHash);
  if (!login || login.expires_at <= ctx.clock.now()) throw badCallback('Invalid or expired state');
  const sealed = JSON.parse(ctx.keys.box.open(login.sealed, sealContext(stateHash))) as SealedLogin;
  if (!input.browserBinding || !safeEqual(sha256Hex(input.browserBinding), sealed.browser))
    throw badCallback('This login was started in another browser; start again');
  if (input.query.error) throw badCallback(`Authorization failed: ${input.query.error}`);
  if (!input.query.code) throw badCallback('Missing code parameter');

  const callbackUrl = new URL(login.redirect_uri);
  for (const [name, value] of Object.entries(input.query)) {
    if (value !== undefined) callbackUrl.searchParams.set(name, value);
  }
  let tokens: Awaited<ReturnType<typeof OidcClient.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: sealed.verifier,
      expectedState: state,
      expectedNonce: sealed.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    ctx.log.warn({ err: error }, 'OIDC code exchange refused');
    throw badCallback('Invalid or expired authorization code');
  }
  const claims = tokens.claims();
  if (!claims) throw badCallback('The identity provider returned no ID token');
  let email = typeof claims.email === 'string' ? claims.email : undefined;
  let verified = claims.email_verified === true;
  let name = typeof claims.name === 'string' ? claims.name : null;
  if (!email) {
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    email = typeof info.email === 'string' ? info.email : undefined;
    verified = info.email_verified === true;
    name ??= typeof info.name === 'string' ? info.name : null;
  }
  if (!email) throw badCallback('The identity provider did not share an email address');
  const allowed = ctx.config.cmbcluster.oidc.allowedDomains;
  const domain = email.split('@').pop()?.toLowerCase() ?? '';
  if (allowed.length > 0 && !allowed.includes(domain))
    throw forbidden(`Sign-in from ${domain} is not allowed`);
  const issuer = config.serverMetadata().issuer;
  return signIn(ctx, { issuer, subject: claims.sub, email, verified, name });
}

async function signIn(
  ctx: Ctx,
  who: { issuer: string; subject: string; email: string; verified: boolean; name: string | null },
): Promise<{ grant: TokenGrant; created: boolean }> {
  return withTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    let created = false;
    let row = await repo.findUserByOidc(tx, who.issuer, who.subject);
    if (!row) {
      // An unverified address could be anyone's: it neither links nor claims an account.
      if (!who.verified)
        throw forbidden('The identity provider has not verified this email address');
      const existing = await identity.findUserByLogin(tx, who.email);
      let userId = existing?.id;
      if (userId === undefined) {
        userId = (await registerUser(tx, { email: who.email, fullName: who.name })).user.id;
        created = true;
      }
      row = await repo.linkOidcIdentity(tx, userId, {
        issuer: who.issuer,
        subject: who.subject,
        now,
      });
      if (!row) throw conflict('This account is already linked to another sign-in identity');
    }
    await recordActivity(tx, {
      userId: row.id,
      tenantId: row.tenant_id,
      action: 'login',
      details: created ? `Signed up with ${who.issuer}` : `Signed in with ${who.issuer}`,
    });
    return { grant: await startSession(tx, row), created };
  });
}

/** Ends the caller's session (when there is one) and records it. */
export async function signOut(ctx: Ctx): Promise<void> {
  if (ctx.actor.kind !== 'user') return;
  const actor = ctx.actor;
  await withTransaction(ctx, async (tx) => {
    await logout(tx);
    await recordActivity(tx, {
      userId: actor.userId,
      tenantId: actor.tenantId,
      action: 'logout',
      details: 'Signed out',
    });
  });
}
