/** A user together with the environment limits of their tier (CMBCluster's /users/me). */
import type { TierEnvironmentLimits } from '../../config/cmbcluster.ts';
import type { Ctx, Tier } from '../context.ts';
import type { User } from '../identity/identity.types.ts';
import { getCurrentUser } from '../identity/users.service.ts';

export function tierLimits(ctx: Ctx, tier: Tier): TierEnvironmentLimits {
  return ctx.config.cmbcluster.tiers[tier];
}

export async function getAccount(ctx: Ctx): Promise<{ user: User; limits: TierEnvironmentLimits }> {
  const user = await getCurrentUser(ctx);
  return { user, limits: tierLimits(ctx, user.tier) };
}
