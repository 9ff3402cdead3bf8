/**
 * An authenticated WebSocket's hold on its credential. A socket authenticates once, so
 * the credential is checked again: every TASKLANE_WS_REVALIDATE_MS (the check an HTTP
 * request makes: one indexed query, shared by the credential's sockets within a second),
 * before each chat or agent run (always its own query), before each pushed
 * event (expiry only, no query) and when an access token's lifetime runs out. A logout
 * on any replica (the deny-list is in the database), an expired token, a regenerated
 * API key or a disabled account ends the session; the socket then says so and closes
 * with SESSION_ENDED.
 */
import type { FastifyRequest } from 'fastify';
import type { Runtime, UserActor } from '../core/context.ts';
import { DomainError, unauthenticated } from '../core/errors.ts';
import { RecentValues } from '../core/shared/recent-values.ts';
import { authenticateBearer } from './auth.ts';

/** Close code of a socket whose token or API key stopped being valid (HTTP's 401, + 4000). */
export const SESSION_ENDED = 4401;

/** setTimeout's longest delay; a later expiry re-arms the timer. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface WsSession {
  /**
   * The actor, re-checked against the database now. When the credential no longer
   * holds, the session ends (`extra` goes into the error message) and this throws.
   */
  current(extra?: Record<string, unknown>): Promise<UserActor>;
  /** Whether the session still holds, without a query; ends it once the token expired. */
  live(): boolean;
  /** Stops the timers (the socket closed). */
  stop(): void;
}

/** Why a session ended: an UNAUTHORIZED error for the client. */
export type SessionEnd = (error: DomainError, extra: Record<string, unknown>) => void;

export function holdSession(
  runtime: Runtime,
  request: Pick<FastifyRequest, 'ip' | 'log'>,
  credential: string,
  actor: UserActor,
  onEnd: SessionEnd,
): WsSession {
  let current = actor;
  let ended = false;
  let checking: Promise<UserActor> | undefined;
  let expiryTimer: NodeJS.Timeout | undefined;

  const expired = () =>
    current.token !== undefined && current.token.expiresAt <= runtime.clock.now();
  const end = (error: DomainError, extra: Record<string, unknown> = {}) => {
    if (ended) return;
    ended = true;
    stop();
    onEnd(error, extra);
  };
  const endExpired = () => end(unauthenticated('Token expired'));

  // The periodic re-check may share a just-made answer with the credential's other
  // sockets; a check before a run (`current()`) always asks the database itself.
  const check = (shared = false): Promise<UserActor> => {
    checking ??= (
      shared
        ? sharedCheck(runtime, request, credential)
        : authenticateBearer(runtime, request, credential)
    )
      .then((fresh) => {
        current = fresh;
        return fresh;
      })
      .finally(() => {
        checking = undefined;
      });
    return checking;
  };

  const recheck = async (shared: boolean, extra: Record<string, unknown> = {}) => {
    if (ended) throw unauthenticated('Session ended');
    try {
      return await check(shared);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'unauthenticated') end(error, extra);
      throw error;
    }
  };

  const session: WsSession = {
    current: (extra = {}) => recheck(false, extra),
    live() {
      if (!ended && expired()) endExpired();
      return !ended;
    },
    stop,
  };

  const interval = setInterval(() => {
    if (!session.live()) return;
    // A database hiccup is not a revocation: the next tick checks again.
    recheck(true).catch((error: unknown) => {
      if (!(error instanceof DomainError && error.code === 'unauthenticated'))
        request.log.warn({ err: error }, 'websocket credential re-check failed');
    });
  }, runtime.config.wsRevalidateMs);
  interval.unref();

  const armExpiry = () => {
    if (ended || !current.token) return;
    const left = current.token.expiresAt - runtime.clock.now();
    expiryTimer = setTimeout(() => (expired() ? endExpired() : armExpiry()), clamp(left));
    expiryTimer.unref();
  };
  armExpiry();

  function stop(): void {
    clearInterval(interval);
    clearTimeout(expiryTimer);
  }
  return session;
}

/**
 * Sockets that hold the same credential share a check made in the last second: their
 * timers, started together, fire together, and a thousand sockets of one user made a
 * thousand identical queries in one burst (issue 15: the fan-out's p99). A shared
 * answer is at most a second older than its own query would have been.
 */
const SHARED_CHECK_MS = 1000;
const recentChecks = new WeakMap<Runtime, RecentValues<string, UserActor>>();

function sharedCheck(
  runtime: Runtime,
  request: Pick<FastifyRequest, 'ip' | 'log'>,
  credential: string,
): Promise<UserActor> {
  let checks = recentChecks.get(runtime);
  if (!checks) {
    checks = new RecentValues(SHARED_CHECK_MS, 10_000);
    recentChecks.set(runtime, checks);
  }
  // Never longer than half the re-check interval, so a short interval keeps its meaning.
  const window = Math.min(SHARED_CHECK_MS, runtime.config.wsRevalidateMs / 2);
  return checks.get(credential, () => authenticateBearer(runtime, request, credential), window);
}

const clamp = (ms: number) => Math.min(Math.max(ms, 0), MAX_TIMER_MS);
