/** AutoServe's documented rate limits: per hour, tiered by who is calling. */
import type { Actor } from '../../core/context.ts';
import { HOUR, type RateLimitRule } from '../../http/rate-limit.ts';

/** Anonymous 100/h (per IP), authenticated 1,000/h, premium 10,000/h (per user). */
export const API_LIMITS: RateLimitRule[] = [
  {
    name: 'autoserve',
    windowMs: HOUR,
    by: 'user',
    max: (actor: Actor) =>
      actor.kind !== 'user' ? 100 : actor.tier === 'premium' ? 10_000 : 1_000,
  },
];
