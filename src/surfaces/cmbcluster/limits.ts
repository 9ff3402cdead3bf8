/** CMBCluster's documented rate limits ("configurable": TASKLANE_RATE_LIMIT turns them off). */
import { HOUR, MINUTE, type RateLimitRule } from '../../http/rate-limit.ts';

/** API requests: 60 per minute per user (per IP for anonymous calls). */
export const API_LIMITS: RateLimitRule[] = [
  { name: 'cmb-api', max: 60, windowMs: MINUTE, by: 'user' },
];

/** Authentication: 10 attempts per hour per IP. */
export const AUTH_LIMITS: RateLimitRule[] = [
  { name: 'cmb-auth', max: 10, windowMs: HOUR, by: 'ip' },
];

/** Traffic to a user's own environment (a page load is many requests): 600 per minute. */
export const PROXY_LIMITS: RateLimitRule[] = [
  { name: 'cmb-proxy', max: 600, windowMs: MINUTE, by: 'user' },
];
