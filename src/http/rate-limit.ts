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
  readonly #scale: number;

  constructor(
    redis: Redis | undefined,
    redisPrefix: string,
    now: () => number = Date.now,
    scale = 1,
  ) {
    this.#scale = scale;
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
    const shown = await this.#tightest(request.actor, request.ip, rules);
    const resetSeconds = Math.ceil((this.#now() + shown.ttl) / 1000);
    reply.header('x-ratelimit-limit', shown.max);
    reply.header('x-ratelimit-remaining', Math.max(0, shown.max - shown.current));
    reply.header('x-ratelimit-reset', resetSeconds);
    if (shown.current > shown.max) {
      reply.header('retry-after', retryAfterOf(shown));
      throw rateLimited(shown);
    }
  }

  /**
   * The same count for work that arrives without an HTTP request of its own (a WebSocket
   * message that runs an agent or a chat): throws 429's error when a rule is exceeded.
   */
  async consume(actor: Actor, ip: string, rules: readonly RateLimitRule[]): Promise<void> {
    if (rules.length === 0) return;
    const shown = await this.#tightest(actor, ip, rules);
    if (shown.current > shown.max) throw rateLimited(shown);
  }

  /** Counts against every rule; the exceeded rule that frees last, else the one closest to its limit. */
  async #tightest(actor: Actor, ip: string, rules: readonly RateLimitRule[]): Promise<Outcome> {
    const outcomes = await Promise.all(rules.map((rule) => this.#count(actor, ip, rule)));
    const exceeded = outcomes.filter((o) => o.current > o.max);
    return (
      exceeded.sort((a, b) => b.ttl - a.ttl)[0] ??
      outcomes.reduce((a, b) => (b.max - b.current < a.max - a.current ? b : a))
    );
  }

  #count(actor: Actor, ip: string, rule: RateLimitRule): Promise<Outcome> {
    const documented = typeof rule.max === 'function' ? rule.max(actor) : rule.max;
    const max = this.#scale === 1 ? documented : Math.max(1, Math.round(documented * this.#scale));
    const subject =
      actor.kind !== 'user' || rule.by === 'ip'
        ? `ip:${ip}`
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

function retryAfterOf(outcome: Outcome): number {
  return Math.max(1, Math.ceil(outcome.ttl / 1000));
}

function rateLimited(outcome: Outcome): DomainError {
  const retryAfter = retryAfterOf(outcome);
  return new DomainError(
    'rate_limited',
    `Rate limit exceeded. Try again in ${retryAfter} seconds.`,
    {
      retryAfter,
      limit: outcome.max,
      windowSeconds: Math.round(outcome.rule.windowMs / 1000),
      scope: outcome.rule.by,
    },
  );
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
