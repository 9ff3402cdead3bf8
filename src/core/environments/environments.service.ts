/**
 * Users' environments (CMBCluster): long-running workspace processes, started and
 * stopped through the configured driver (runtime.environments). An environment is
 * `creating` until its program answers HTTP, then `running`; `stopped` after a delete,
 * the culler or a server restart; `failed` (with the reason) when it exits on its own or
 * never answers. The workspace outlives every environment.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { recordActivity } from '../activity/activity.service.ts';
import { type Ctx, type Tier, withTransaction } from '../context.ts';
import { DomainError, forbidden, invalid, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import { tierLimits } from './account.service.ts';
import { revealEnvVars } from './env-vars.service.ts';
import * as repo from './environments.repo.ts';
import type { Environment, EnvironmentStatus } from './environments.types.ts';
import { profileForImage } from './profiles.ts';

const ENV_ID = /^env-[0-9a-f]{12}$/;
/** Proxied traffic counts as activity at most this often (one write per window). */
const TOUCH_EVERY_MS = 30_000;
const lastTouched = new Map<string, number>();

/** The spec's example error for a malformed id: 400 "Invalid environment ID format". */
export function checkEnvId(envId: string): string {
  if (!ENV_ID.test(envId))
    throw new DomainError('validation', 'Invalid environment ID format', undefined, [
      { location: ['path'], message: 'Invalid environment ID format', type: 'value_error' },
    ]);
  return envId;
}

export interface CreateEnvironmentInput {
  image: string;
  applicationId?: string;
  name?: string;
  description?: string;
}

export async function createEnvironment(
  ctx: Ctx,
  input: CreateEnvironmentInput,
): Promise<Environment> {
  const actor = requireUser(ctx);
  const settings = ctx.config.cmbcluster;
  const profile = profileForImage(settings, input.image);
  if (!profile)
    throw invalid('image', `Unknown image; available: ${Object.keys(settings.images).join(', ')}`);
  const limits = tierLimits(ctx, actor.tier);
  const id = `env-${randomBytes(6).toString('hex')}`;
  await withTransaction(ctx, async (tx) => {
    await repo.lockUserForEnvironments(tx, actor.userId);
    const active = await repo.listUserEnvironments(tx, actor.userId, { activeOnly: true });
    if (active.length >= limits.maxConcurrent)
      throw new DomainError(
        'quota_exceeded',
        `Environment limit reached: the ${actor.tier} tier allows ${limits.maxConcurrent} running environment(s)`,
      );
    const now = tx.clock.now();
    await repo.insertEnvironment(tx, {
      id,
      tenant_id: actor.tenantId,
      user_id: actor.userId,
      image: input.image,
      profile: profile.name,
      application_id: input.applicationId ?? null,
      name: input.name ?? null,
      description: input.description ?? null,
      status: 'creating',
      status_reason: null,
      host_id: tx.runtime.environments.hostId,
      created_at: now,
      started_at: null,
      stopped_at: null,
      last_activity_at: now,
      updated_at: now,
    });
    await recordActivity(tx, {
      userId: actor.userId,
      tenantId: actor.tenantId,
      action: 'environment_created',
      details: `Created environment ${id}`,
    });
  });
  const owner = { userId: actor.userId, userUuid: actor.userUuid, tenantId: actor.tenantId };
  try {
    await ctx.runtime.environments.start(ctx, {
      envId: id,
      owner,
      profile,
      variables: await revealEnvVars(ctx, owner),
      // The culler stops it at the limit; this backstop allows a few sweeps of slack.
      maxRunMs: limits.autoShutdown
        ? limits.maxUptimeMinutes * 60_000 + 5 * ctx.config.cmbcluster.cullIntervalMs
        : 7 * 24 * 3_600_000,
    });
  } catch (error) {
    const reason = error instanceof DomainError ? error.message : 'the environment could not start';
    if (!(error instanceof DomainError))
      ctx.log.error({ err: error, env: id }, 'environment start failed');
    await repo.transition(ctx, id, ['creating'], {
      status: 'failed',
      status_reason: reason,
      stopped_at: ctx.clock.now(),
      updated_at: ctx.clock.now(),
    });
    await recordActivity(ctx, {
      userId: actor.userId,
      tenantId: actor.tenantId,
      action: 'environment_failed',
      details: `Environment ${id} failed: ${reason}`,
      status: 'failure',
    });
  }
  return getEnvironment(ctx, id);
}

export async function getEnvironment(ctx: Ctx, envId: string): Promise<Environment> {
  const actor = requireUser(ctx);
  const row = await repo.findUserEnvironment(ctx, actor.userId, checkEnvId(envId));
  if (!row) throw notFound('Environment');
  return toEnvironment(row);
}

/** The user's latest active environment, if any. */
export async function getActiveEnvironment(ctx: Ctx): Promise<Environment | null> {
  const actor = requireUser(ctx);
  const [row] = await repo.listUserEnvironments(ctx, actor.userId, { activeOnly: true, limit: 1 });
  return row ? toEnvironment(row) : null;
}

export async function listMyEnvironments(ctx: Ctx): Promise<Environment[]> {
  const actor = requireUser(ctx);
  return (await repo.listUserEnvironments(ctx, actor.userId)).map(toEnvironment);
}

export interface EnvironmentInfo {
  environment: Environment;
  uptimeMinutes: number;
  maxUptimeMinutes: number;
  autoShutdown: boolean;
  /** Null when it is not running or auto-shutdown is off. */
  timeUntilShutdownMinutes: number | null;
  tier: Tier;
}

export async function getEnvironmentInfo(ctx: Ctx, envId: string): Promise<EnvironmentInfo> {
  const actor = requireUser(ctx);
  const environment = await getEnvironment(ctx, envId);
  const limits = tierLimits(ctx, actor.tier);
  const end =
    environment.status === 'running' ? ctx.clock.now() : (environment.stoppedAt ?? ctx.clock.now());
  const uptimeMs = environment.startedAt === null ? 0 : Math.max(0, end - environment.startedAt);
  const uptimeMinutes = Math.floor(uptimeMs / 60_000);
  return {
    environment,
    uptimeMinutes,
    maxUptimeMinutes: limits.maxUptimeMinutes,
    autoShutdown: limits.autoShutdown,
    timeUntilShutdownMinutes:
      environment.status === 'running' && limits.autoShutdown
        ? Math.max(0, limits.maxUptimeMinutes - uptimeMinutes)
        : null,
    tier: actor.tier,
  };
}

/**
 * Stops an environment (the latest active one when no id is given): the process tree is
 * killed, the workspace kept. A stopped or failed one stays listed.
 */
export async function deleteEnvironment(ctx: Ctx, envId?: string): Promise<void> {
  const actor = requireUser(ctx);
  const environment =
    envId === undefined ? await getActiveEnvironment(ctx) : await getEnvironment(ctx, envId);
  if (!environment) throw notFound('Environment');
  const why = { action: 'environment_stopped' as const, reason: 'deleted by its owner' };
  const stoppedHere = await ctx.runtime.environments.stop(environment.id, why);
  if (stoppedHere) return;
  // Not running in this process (a restart, another replica, or already over): recorded as stopped.
  const now = ctx.clock.now();
  const moved = await repo.transition(ctx, environment.id, ['creating', 'running'], {
    status: 'stopped',
    status_reason: why.reason,
    stopped_at: now,
    updated_at: now,
  });
  if (moved)
    await recordActivity(ctx, {
      userId: actor.userId,
      tenantId: actor.tenantId,
      action: 'environment_stopped',
      details: `Environment ${environment.id} stopped: ${why.reason}`,
    });
}

/** Resets the idle timer of the user's active environments. */
export async function heartbeat(ctx: Ctx): Promise<void> {
  const actor = requireUser(ctx);
  await repo.touchEnvironments(ctx, actor.userId, ctx.clock.now());
}

/**
 * A connection to the owner's running environment, for the proxy. Another user's
 * environment, or one that is not running, is not found. Proxied traffic resets the idle
 * timer (written at most every 30 s per environment).
 */
export async function connectToEnvironment(ctx: Ctx, envId: string): Promise<Socket> {
  const actor = requireUser(ctx);
  const environment = await getEnvironment(ctx, envId);
  if (environment.status !== 'running') throw notFound('Environment');
  const now = ctx.clock.now();
  if (now - (lastTouched.get(envId) ?? 0) >= TOUCH_EVERY_MS) {
    lastTouched.set(envId, now);
    if (lastTouched.size > 10_000) lastTouched.clear();
    await repo.touchEnvironments(ctx, actor.userId, now, envId);
  }
  try {
    return await ctx.runtime.environments.connect(envId);
  } catch (error) {
    ctx.log.warn({ err: error, env: envId }, 'environment connection failed');
    throw new DomainError('unavailable', 'The environment is not answering');
  }
}

/** Every environment on the platform, for platform admins only. */
export async function listAllEnvironments(ctx: Ctx, limit = 1000): Promise<Environment[]> {
  if (ctx.actor.kind !== 'user' || ctx.actor.role !== 'admin')
    throw forbidden('Admin access required');
  return (await repo.listAllEnvironments(ctx, limit)).map(toEnvironment);
}

function toEnvironment(row: repo.EnvironmentRow): Environment {
  return {
    id: row.id,
    userUuid: row.user_uuid,
    image: row.image,
    profile: row.profile,
    applicationId: row.application_id,
    name: row.name,
    description: row.description,
    status: row.status as EnvironmentStatus,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
    lastActivityAt: row.last_activity_at,
  };
}
