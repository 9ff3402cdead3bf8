/**
 * CodeGuide's rate limits. Its spec says only that limits "vary by endpoint and
 * subscription tier"; these are per user, generous for reads and tighter for the
 * model-backed generation endpoints (each costs credits too).
 */
import { MINUTE, type RateLimitRule } from '../../http/rate-limit.ts';

export const API_LIMITS: RateLimitRule[] = [
  { name: 'codeguide-api', max: 120, windowMs: MINUTE, by: 'user' },
];

export const GENERATION_LIMITS: RateLimitRule[] = [
  { name: 'codeguide-generate', max: 30, windowMs: MINUTE, by: 'user' },
];
