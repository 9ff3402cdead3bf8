/**
 * What each plan includes: its features, the permissions it grants and its limits (the
 * monthly credits from TASKLANE_CREDITS_*, the daily task limit from the user's own
 * `daily_limit`). CodeGuide's `/usage/authorization` shows it.
 */
import type { Ctx, Tier } from '../context.ts';
import { notFound } from '../errors.ts';
import { findUserById } from '../identity/identity.repo.ts';
import { requireUser } from '../identity/users.service.ts';
import { type Balance, getBalance } from './metering.service.ts';

const FEATURES: Record<Tier, string[]> = {
  free: ['document_generation', 'projects', 'task_management'],
  pro: ['document_generation', 'projects', 'task_management', 'codespace', 'repository_analysis'],
  premium: [
    'document_generation',
    'projects',
    'task_management',
    'codespace',
    'repository_analysis',
    'deployments',
    'priority_support',
  ],
};

const PERMISSIONS: Record<Tier, string[]> = {
  free: ['generate:documents', 'projects:write', 'usage:read'],
  pro: [
    'generate:documents',
    'projects:write',
    'usage:read',
    'codespace:run',
    'repositories:analyze',
  ],
  premium: [
    'generate:documents',
    'projects:write',
    'usage:read',
    'codespace:run',
    'repositories:analyze',
    'deployments:trigger',
  ],
};

export interface PlanAuthorization {
  plan: Tier;
  features: string[];
  permissions: string[];
  monthlyCredits: number;
  maxCallsPerDay: number;
  balance: Balance;
}

export async function planAuthorization(ctx: Ctx): Promise<PlanAuthorization> {
  const actor = requireUser(ctx);
  const [user, balance] = await Promise.all([
    findUserById(ctx, actor.userId),
    getBalance(ctx, actor.userId),
  ]);
  if (!user) throw notFound('User');
  return {
    plan: balance.plan,
    features: FEATURES[balance.plan],
    permissions: PERMISSIONS[balance.plan],
    monthlyCredits: ctx.config.metering.credits[balance.plan],
    maxCallsPerDay: user.daily_limit,
    balance,
  };
}
