/** Which lane a tier's work goes to: paying tiers get the premium lane. */
import type { Tier } from '../context.ts';
import type { Lane } from './jobs.types.ts';

export function laneForTier(tier: Tier): Lane {
  return tier === 'free' ? 'normal' : 'premium';
}
