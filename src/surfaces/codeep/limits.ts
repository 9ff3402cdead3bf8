/** Codeep's documented rate limits. */
import { MINUTE, type RateLimitRule } from '../../http/rate-limit.ts';

/** Authentication endpoints: 10 requests per minute per IP. */
export const AUTH_LIMITS: RateLimitRule[] = [
  { name: 'codeep-auth', max: 10, windowMs: MINUTE, by: 'ip' },
];

/** All other endpoints: 100 requests per minute per user. */
export const API_LIMITS: RateLimitRule[] = [
  { name: 'codeep-api', max: 100, windowMs: MINUTE, by: 'user' },
];
