/**
 * A user's environment variables: sealed with AES-256-GCM (the keyring's SecretBox, key
 * from TASKLANE_SECRET_KEY) bound to the user and the name, so a value copied to another
 * row does not open. Values leave the core in clear only to be injected into the owner's
 * own environments.
 */
import { recordActivity } from '../activity/activity.service.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { invalid, notFound } from '../errors.ts';
import { requireUser } from '../identity/users.service.ts';
import * as repo from './env-vars.repo.ts';

/** A POSIX-style variable name: what a shell can export. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Names the sandbox sets itself; a user's value must not replace them. */
const RESERVED = new Set([
  'PATH',
  'HOME',
  'PWD',
  'USER',
  'SHELL',
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'TMPDIR',
  'TASKLANE_SOCKET',
  'TASKLANE_ENV_ID',
]);
export const ENV_VAR_VALUE_MAX = 32_768;
const MAX_VARIABLES = 200;

export interface EnvVar {
  key: string;
  createdAt: number;
}

/** What a variable's value is bound to: its owner and its name. */
export const envVarAad = (userUuid: string, key: string) => `cmb-env-var:${userUuid}:${key}`;

export async function setEnvVar(ctx: Ctx, key: string, value: string): Promise<EnvVar> {
  const actor = requireUser(ctx);
  if (!NAME.test(key))
    throw invalid(
      'key',
      'key must be an environment variable name: letters, digits and _, not starting with a digit (at most 128)',
    );
  if (RESERVED.has(key))
    throw invalid('key', `${key} is set by the platform and cannot be overridden`);
  if (value.length > ENV_VAR_VALUE_MAX)
    throw invalid('value', `value must be at most ${ENV_VAR_VALUE_MAX} characters`);
  if (value.includes('\0')) throw invalid('value', 'value must not contain NUL characters');
  const now = ctx.clock.now();
  return withTransaction(ctx, async (tx) => {
    const existing = await repo.listEnvVars(tx, actor.userId);
    if (existing.length >= MAX_VARIABLES && !existing.some((v) => v.key === key))
      throw invalid('key', `at most ${MAX_VARIABLES} variables per user`);
    const row = await repo.upsertEnvVar(tx, {
      user_id: actor.userId,
      key,
      value_sealed: tx.keys.box.seal(value, envVarAad(actor.userUuid, key)),
      created_at: now,
      updated_at: now,
    });
    await recordActivity(tx, {
      userId: actor.userId,
      tenantId: actor.tenantId,
      action: 'env_var_set',
      details: `Set environment variable ${key}`,
    });
    return { key: row.key, createdAt: row.created_at };
  });
}

export async function listEnvVars(ctx: Ctx): Promise<EnvVar[]> {
  const actor = requireUser(ctx);
  const rows = await repo.listEnvVars(ctx, actor.userId);
  return rows.map((row) => ({ key: row.key, createdAt: row.created_at }));
}

export async function deleteEnvVar(ctx: Ctx, key: string): Promise<void> {
  const actor = requireUser(ctx);
  await withTransaction(ctx, async (tx) => {
    if (!(await repo.deleteEnvVar(tx, actor.userId, key))) throw notFound('Environment variable');
    await recordActivity(tx, {
      userId: actor.userId,
      tenantId: actor.tenantId,
      action: 'env_var_deleted',
      details: `Deleted environment variable ${key}`,
    });
  });
}

/** The owner's variables in clear, for injecting into their own environments only. */
export async function revealEnvVars(
  ctx: Ctx,
  owner: { userId: number; userUuid: string },
): Promise<Record<string, string>> {
  const rows = await repo.listEnvVars(ctx, owner.userId);
  const out: Record<string, string> = {};
  for (const row of rows)
    out[row.key] = ctx.keys.box.open(row.value_sealed, envVarAad(owner.userUuid, row.key));
  return out;
}
