/**
 * The context every core function takes first: who is asking (the Actor), the db
 * handle or open transaction, and the process's services. Routes build it from the
 * request; workers build the same thing, so a job calls the same core functions a
 * route does.
 */
import type { Config } from '../config.ts';
import type { Db, DbHandle } from '../db/connection.ts';
import type { DialectName } from '../db/dialect.ts';
import type { AiRegistry } from './ai/providers.ts';
import type { ApiCallBuffer } from './api-logs/api-call-buffer.ts';
import type { EnvironmentDriver } from './environments/driver.types.ts';
import type { EventHub } from './events/hub.ts';
import type { Notifier } from './events/notifier.ts';
import type { OutboxHook } from './events/outbox.ts';
import type { SandboxProvider } from './execution/sandbox.types.ts';
import type { Workspaces } from './execution/workspaces.ts';
import type { BlobStore } from './files/blob-store.ts';
import type { Clock } from './shared/clock.ts';
import type { Keyring } from './shared/keyring.ts';
import type { HostResolver } from './shared/net-guard.ts';
import type { TaskRunner } from './tasks/runners/runner.types.ts';

/** The logging calls the core uses; pino's and Fastify's loggers both fit. */
export interface Logger {
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}
type LogFn = {
  (obj: object, msg?: string, ...args: unknown[]): void;
  (msg: string, ...args: unknown[]): void;
};
export type Role = 'user' | 'admin';
export type TenantRole = 'owner' | 'admin' | 'member';
export type Tier = 'free' | 'pro' | 'premium';

/** Who is asking. Authorisation is the first line of every core function. */
export type Actor = UserActor | AnonymousActor | SystemActor;

export interface UserActor {
  kind: 'user';
  userId: number;
  userUuid: string;
  tenantId: string;
  role: Role;
  tenantRole: TenantRole;
  tier: Tier;
  authMethod: 'jwt' | 'api_key' | 'session';
  /**
   * The access token's id, expiry and session (its `fam`, or its own id for a token
   * issued before sessions), when authenticated by one: logout ends the session.
   */
  token?: { jti: string; expiresAt: number; sessionId: string };
  ip?: string;
}

export interface AnonymousActor {
  kind: 'anonymous';
  ip?: string;
}

/** Background work the platform does on its own behalf (sweepers, dispatchers). */
export interface SystemActor {
  kind: 'system';
}

/** Process-wide services, built once at start-up (app.ts, cli.ts). */
export interface Runtime {
  config: Config;
  database: DbHandle;
  keys: Keyring;
  clock: Clock;
  log: Logger;
  /** Job wake-ups and cancellations (PostgreSQL NOTIFY, or in-process). */
  notifier: Notifier;
  /** Event fan-out (Redis when configured, else PostgreSQL NOTIFY, else in-process). */
  eventNotifier: Notifier;
  /** Subscribe to events as they are recorded, from any process. */
  events: EventHub;
  sandbox: SandboxProvider;
  blobs: BlobStore;
  /** Makes task workspaces (see execution/workspaces.ts). */
  workspaces: Workspaces;
  /** LLM providers and the model catalog. */
  ai: AiRegistry;
  /** Runs users' environments (CMBCluster), chosen by TASKLANE_ENV_DRIVER. */
  environments: EnvironmentDriver;
  /** What runs in every event's transaction (webhook fan-out…), wired in runtime.ts. */
  outboxHooks: readonly OutboxHook[];
  /** Task kind → runner, wired in runtime.ts. */
  taskRunners: ReadonlyMap<string, TaskRunner>;
  /** Rewrites host paths in a message shown to users (see shared/redact-paths.ts). */
  redactPaths(text: string): string;
  /** Name resolution for outbound requests (net-guard); the system resolver outside tests. */
  resolver: HostResolver;
  /** Recorded API calls waiting to be written in a batch (api-logs/api-call-buffer.ts). */
  apiCalls: ApiCallBuffer;
}

export interface Ctx {
  actor: Actor;
  /** The database, or the open transaction when inside withTransaction. */
  db: Db;
  /**
   * Runs fn once the surrounding transaction has committed (at once outside one):
   * in-process notifications must never announce a change that was rolled back.
   */
  afterCommit(fn: () => void | Promise<void>): void;
  dialect: DialectName;
  runtime: Runtime;
  config: Config;
  keys: Keyring;
  clock: Clock;
  log: Logger;
}

export function createContext(runtime: Runtime, actor: Actor, log: Logger = runtime.log): Ctx {
  return {
    actor,
    db: runtime.database.db,
    afterCommit: (fn) => runHook(fn, log),
    dialect: runtime.database.dialect,
    runtime,
    config: runtime.config,
    keys: runtime.keys,
    clock: runtime.clock,
    log,
  };
}

/** Whether ctx is inside a transaction (a retry must then happen outside it). */
export function inTransaction(ctx: Ctx): boolean {
  return ctx.db.isTransaction;
}

/** Runs fn in one transaction; nested calls reuse the open one. */
export async function withTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return fn(ctx);
  const hooks: (() => void | Promise<void>)[] = [];
  const result = await ctx.db
    .transaction()
    .execute((trx) => fn({ ...ctx, db: trx, afterCommit: (hook) => hooks.push(hook) }));
  for (const hook of hooks) runHook(hook, ctx.log);
  return result;
}

function runHook(fn: () => void | Promise<void>, log: Logger): void {
  try {
    const result = fn();
    if (result instanceof Promise)
      result.catch((error) => log.warn({ err: error }, 'after-commit hook failed'));
  } catch (error) {
    log.warn({ err: error }, 'after-commit hook failed');
  }
}

export const anonymousActor = (ip?: string): AnonymousActor => ({ kind: 'anonymous', ip });
export const systemActor: SystemActor = { kind: 'system' };
