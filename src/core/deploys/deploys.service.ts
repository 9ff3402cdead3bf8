/**
 * Deploying to Coolify: list a user's applications and start a deployment, with the
 * user's own credentials (base URL + API token, the token sealed with the keyring's
 * SecretBox and bound to the user and the URL, so a sealed token copied to another row
 * or pointed at another URL does not open), else the installation's
 * (TASKLANE_COOLIFY_URL / TASKLANE_COOLIFY_TOKEN), else a 503. Every deployment started
 * is recorded. Codespace tasks call `deployApplication` with their owner.
 */
import { COOLIFY_TOKEN_PATTERN } from '../../config/coolify.ts';
import type { Ctx } from '../context.ts';
import { DomainError, forbidden, invalid, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { uuidv7 } from '../shared/ids.ts';
import { checkTarget, DestinationRefused, HostUnresolved } from '../shared/net-guard.ts';
import {
  type CoolifyApplication,
  type CoolifyTarget,
  coolifyPolicy,
  fetchApplications,
  startDeployment,
} from './coolify.client.ts';
import * as repo from './deploys.repo.ts';

export type { CoolifyApplication } from './coolify.client.ts';

/** What a user's token is bound to: its owner and the URL it is sent to. */
export const coolifyTokenAad = (userUuid: string, baseUrl: string) =>
  `coolify-token:${userUuid}:${baseUrl}`;

/** Whose deployments and credentials: a user of a tenant. */
export interface DeployOwner {
  userId: number;
  userUuid: string;
  tenantId: string;
}

export interface CoolifyCredentialsInfo {
  configured: boolean;
  baseUrl: string | null;
  source: 'user' | 'installation' | null;
}

export interface Deployment {
  /** Coolify's deployment uuid when it gave one, else Tasklane's record id. */
  deploymentId: string;
  recordId: string;
  /** `queued` (Coolify queued it) or `skipped` (Coolify started none; `message` says why). */
  status: 'queued' | 'skipped';
  message: string;
}

export interface DeployInput {
  applicationId: string;
  environment?: string;
  config?: Record<string, unknown>;
}

/** Coolify's resource uuids are short alphanumeric words; nothing else is sent on. */
const APPLICATION_ID = /^[A-Za-z0-9_-]{1,100}$/;
const BASE_URL_MAX = 2000;

// ── Credentials ─────────────────────────────────────────────────────────────

export async function setCoolifyCredentials(
  ctx: Ctx,
  input: { baseUrl: string; token: string },
): Promise<CoolifyCredentialsInfo> {
  const actor = requireUser(ctx);
  const baseUrl = await checkBaseUrl(ctx, input.baseUrl);
  // The token's value never appears in a message.
  if (!COOLIFY_TOKEN_PATTERN.test(input.token))
    throw invalid('token', 'token must be printable ASCII without spaces, at most 1000 characters');
  const now = ctx.clock.now();
  await repo.upsertCredentials(ctx, {
    user_id: actor.userId,
    tenant_id: actor.tenantId,
    base_url: baseUrl,
    token_sealed: ctx.keys.box.seal(input.token, coolifyTokenAad(actor.userUuid, baseUrl)),
    created_at: now,
    updated_at: now,
  });
  return { configured: true, baseUrl, source: 'user' };
}

/** Which credentials the caller's Coolify calls use (never the token). */
export async function getCoolifyCredentials(ctx: Ctx): Promise<CoolifyCredentialsInfo> {
  const actor = requireUser(ctx);
  const row = await repo.findCredentials(ctx, actor.userId);
  if (row) return { configured: true, baseUrl: row.base_url, source: 'user' };
  const { url } = ctx.config.coolify;
  if (url) return { configured: true, baseUrl: url, source: 'installation' };
  return { configured: false, baseUrl: null, source: null };
}

export async function deleteCoolifyCredentials(ctx: Ctx): Promise<void> {
  const actor = requireUser(ctx);
  if (!(await repo.deleteCredentials(ctx, actor.userId))) throw notFound('Coolify credentials');
}

// ── Applications and deployments ────────────────────────────────────────────

export async function listApplications(ctx: Ctx): Promise<CoolifyApplication[]> {
  const actor = requireUser(ctx);
  return fetchApplications(ctx, await targetOf(ctx, actor));
}

/**
 * Asks Coolify to deploy one application and records it. `environment` and `config`
 * are recorded with it; `config.force: true` rebuilds without Coolify's cache. Takes
 * the owner explicitly so a job acting for a user (a codespace task) can call it.
 */
export async function deployApplication(
  ctx: Ctx,
  owner: DeployOwner,
  input: DeployInput,
): Promise<Deployment> {
  // A user deploys as themselves only; the system (a job) acts for the owner it names.
  if (ctx.actor.kind !== 'system' && requireUser(ctx).userId !== owner.userId) throw forbidden();
  if (!APPLICATION_ID.test(input.applicationId))
    throw invalid(
      'application_id',
      'application_id must be a Coolify application uuid (letters, digits, _ and -, at most 100)',
    );
  const config = input.config ?? {};
  if (config.force !== undefined && typeof config.force !== 'boolean')
    throw invalid('config', 'config.force must be true or false');
  const target = await targetOf(ctx, owner);
  const started = await startDeployment(ctx, target, input.applicationId, {
    force: config.force === true,
  });
  const now = ctx.clock.now();
  const recordId = uuidv7(now);
  const status = started.deploymentUuid ? 'queued' : 'skipped';
  await repo.insertDeployment(ctx, {
    id: recordId,
    tenant_id: owner.tenantId,
    user_id: owner.userId,
    application_id: input.applicationId,
    environment: input.environment ?? null,
    config: JSON.stringify(config),
    status,
    coolify_deployment_uuid: started.deploymentUuid,
    message: started.message,
    base_url: target.baseUrl,
    source: target.source,
    created_at: now,
  });
  return {
    deploymentId: started.deploymentUuid ?? recordId,
    recordId,
    status,
    message: started.message,
  };
}

/** The owner's own credentials, else the installation's; 503 when neither is there. */
async function targetOf(ctx: Ctx, owner: DeployOwner): Promise<CoolifyTarget> {
  const row = await repo.findCredentials(ctx, owner.userId);
  if (row) {
    let token: string;
    try {
      token = ctx.keys.box.open(row.token_sealed, coolifyTokenAad(owner.userUuid, row.base_url));
    } catch {
      throw new DomainError(
        'unavailable',
        'The saved Coolify API token cannot be opened with the keys this server holds: save the credentials again',
      );
    }
    return { baseUrl: row.base_url, token, source: 'user' };
  }
  const { url, token } = ctx.config.coolify;
  if (url && token) return { baseUrl: url, token, source: 'installation' };
  throw new DomainError(
    'unavailable',
    'Coolify is not configured: no Coolify URL and API token are saved for this user, and the server has none (TASKLANE_COOLIFY_URL, TASKLANE_COOLIFY_TOKEN)',
  );
}

/**
 * A base URL credentials may name: http(s), a host, no credentials, query or fragment,
 * and (unless private addresses are allowed) resolving to public addresses only. Each
 * request checks the address again (net-guard), so a later DNS change is caught too.
 */
async function checkBaseUrl(ctx: Ctx, value: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('base_url', 'base_url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid('base_url', 'base_url must use http or https');
  if (url.username || url.password)
    throw invalid('base_url', 'base_url must not carry credentials');
  if (url.search || url.hash)
    throw invalid('base_url', 'base_url must not have a query or fragment');
  if (value.length > BASE_URL_MAX)
    throw invalid('base_url', `base_url must be at most ${BASE_URL_MAX} characters`);
  const policy = coolifyPolicy(ctx);
  if (!policy.allowPrivate) {
    try {
      await checkTarget(url, policy);
    } catch (error) {
      if (error instanceof HostUnresolved) throw invalid('base_url', `base_url: ${error.message}`);
      if (!(error instanceof DestinationRefused)) throw error;
      throw invalid(
        'base_url',
        `base_url points to a non-public address (${error.message}); the operator allows those with TASKLANE_COOLIFY_ALLOW_PRIVATE=true or TASKLANE_COOLIFY_ALLOW_NETWORKS`,
      );
    }
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}
