/** Task Assistant's documented rate limits. */
import { HOUR, MINUTE, type RateLimitRule } from '../../http/rate-limit.ts';

/** Per tenant 100/min and 1,000/h; per user 50/min. */
export const API_LIMITS: RateLimitRule[] = [
  { name: 'ta-tenant-minute', max: 100, windowMs: MINUTE, by: 'tenant' },
  { name: 'ta-tenant-hour', max: 1_000, windowMs: HOUR, by: 'tenant' },
  { name: 'ta-user-minute', max: 50, windowMs: MINUTE, by: 'user' },
];

/** Auth endpoints: 10 requests per 15 minutes (per IP). */
export const AUTH_LIMITS: RateLimitRule[] = [
  { name: 'ta-auth', max: 10, windowMs: 15 * MINUTE, by: 'ip' },
];
