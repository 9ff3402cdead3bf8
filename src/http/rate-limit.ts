/**
 * Rate limits with each spec's numbers. Counting uses @fastify/rate-limit's own
 * stores (in memory embedded; its Redis store, with its atomic Lua script, when
 * TASKLANE_REDIS_URL is set, so replicas share counts). The plugin's hook runs only one
 * limit per request and reports a relative reset; Task Assistant needs a tenant and a
 * user limit together and the specs show an absolute epoch reset, so the hook is ours.
 */
import { createRequire } from 'node:module';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Actor } from '../core/context.ts';
import { DomainError } from '../core/errors.ts';

export interface RateLimitRule {
  /** Bucket name; rules with the same name share counts (e.g. all auth routes of a surface). */
  name: string;
  /** Requests per window, or a function of the caller (tiered limits). */
  max: number | ((actor: Actor) => number);
  windowMs: number;
  /** Whose requests are counted together; 'user' and 'tenant' fall back to the IP for anonymous calls. */
  by: 'ip' | 'user' | 'tenant';
}

interface Counter {
  incr(
    key: string,
    cb: (err: Error | null, res: { current: number; ttl: number }) => void,
    windowMs: number,
    max: number,
  ): void;
}

const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache: number,
) => Counter;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  redis: Redis,
  key: string,
) => Counter;

interface Outcome {
  rule: RateLimitRule;
  max: number;
  current: number;
  ttl: number;
}

export class RateLimiter {
  readonly #store: Counter;
  readonly #now: () => number;

  constructor(redis: Redis | undefined, redisPrefix: string, now: () => number = Date.now) {
    this.#store = redis
      ? new RedisStore(false, false, redis, `${redisPrefix}rl:`)
      : new LocalStore(false, false, 100_000);
    this.#now = now;
  }

  /** Counts the request against every rule, sets the X-RateLimit-* headers of the tightest, and throws 429 when any is exceeded. */
  async check(
    request: FastifyRequest,
    reply: FastifyReply,
    rules: readonly RateLimitRule[],
  ): Promise<void> {
    if (rules.length === 0) return;
    const outcomes = await Promise.all(rules.map((rule) => this.#count(request, rule)));
    const exceeded = outcomes.filter((o) => o.current > o.max);
    // The rule closest to its limit is the one a client should pace itself by.
    const shown =
      exceeded.sort((a, b) => b.ttl - a.ttl)[0] ??
      outcomes.reduce((a, b) => (b.max - b.current < a.max - a.current ? b : a));
    const resetSeconds = Math.ceil((this.#now() + shown.ttl) / 1000);
    reply.header('x-ratelimit-limit', shown.max);
    reply.header('x-ratelimit-remaining', Math.max(0, shown.max - shown.current));
    reply.header('x-ratelimit-reset', resetSeconds);
    if (exceeded.length > 0) {
      const retryAfter = Math.max(1, Math.ceil(shown.ttl / 1000));
      reply.header('retry-after', retryAfter);
      throw new DomainError(
        'rate_limited',
        `Rate limit exceeded. Try again in ${retryAfter} seconds.`,
        {
          retryAfter,
          limit: shown.max,
          windowSeconds: Math.round(shown.rule.windowMs / 1000),
          scope: shown.rule.by,
        },
      );
    }
  }

  #count(request: FastifyRequest, rule: RateLimitRule): Promise<Outcome> {
    const actor = request.actor;
    const max = typeof rule.max === 'function' ? rule.max(actor) : rule.max;
    const subject =
      actor.kind !== 'user' || rule.by === 'ip'
        ? `ip:${request.ip}`
        : rule.by === 'tenant'
          ? `tenant:${actor.tenantId}`
          : `user:${actor.userId}`;
    const key = `${rule.name}:${subject}`;
    return new Promise((resolve, reject) => {
      this.#store.incr(
        key,
        (err, res) =>
          err ? reject(err) : resolve({ rule, max, current: res.current, ttl: res.ttl }),
        rule.windowMs,
        max,
      );
    });
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
