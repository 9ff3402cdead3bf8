/**
 * The local environment driver: each environment is a long-lived bubblewrap sandbox on
 * this machine (the core's sandbox: no network unless the profile needs it and the
 * operator allows it, the user's workspace at /workspace, limits per run), serving HTTP
 * on a Unix socket in a server-made directory mounted at /run/tasklane. The processes
 * are children of this server (`--die-with-parent`): when it goes, they go, and the next
 * start marks what it ran as stopped.
 *
 * The culler (every TASKLANE_ENV_CULL_INTERVAL_MS) stops this process's environments
 * past their tier's uptime limit (when auto-shutdown is on) or idle for longer than
 * TASKLANE_ENV_IDLE_TIMEOUT_MINUTES, and records it.
 */
import fsp from 'node:fs/promises';
import http from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { recordActivity } from '../activity/activity.service.ts';
import { type Ctx, createContext, type Runtime, systemActor, type Tier } from '../context.ts';
import { withSecretVariables } from '../execution/secret-variables.ts';
import { meterSandboxTime } from '../metering/usage-meters.ts';
import { isProcessAlive } from '../shared/process-alive.ts';
import type { EnvironmentDriver, EnvironmentLaunch, StopReason } from './driver.types.ts';
import * as repo from './environments.repo.ts';
import { connectToSocket } from './socket-connect.ts';
import { openUserWorkspace, requireSandbox } from './user-workspace.ts';

const SOCKET_INSIDE = '/run/tasklane/http.sock';
const READY_POLL_MS = 200;
/** Long-running servers use CPU for hours; the culler and the wall clock bound them. */
const CPU_SECONDS = 7 * 24 * 3600;

interface Running {
  abort: AbortController;
  exited: Promise<void>;
  runDir: string;
  stopping?: StopReason;
}

export class LocalEnvironmentDriver implements EnvironmentDriver {
  readonly hostId = `${os.hostname()}|${process.pid}|${Date.now()}`;
  readonly #runtime: () => Runtime;
  readonly #running = new Map<string, Running>();
  #culler: NodeJS.Timeout | undefined;
  #culling = false;

  constructor(runtime: () => Runtime) {
    this.#runtime = runtime;
  }

  #ctx(): Ctx {
    return createContext(this.#runtime(), systemActor);
  }

  #runDir(envId: string): string {
    return path.join(this.#runtime().config.dataDir, 'env-run', envId);
  }

  async start(ctx: Ctx, launch: EnvironmentLaunch): Promise<void> {
    const sandbox = requireSandbox(ctx);
    const workspace = await openUserWorkspace(ctx, launch.owner);
    const runDir = this.#runDir(launch.envId);
    await fsp.mkdir(path.dirname(runDir), { recursive: true, mode: 0o711 });
    await fsp.mkdir(runDir, { mode: 0o700 });
    if (workspace.uid !== undefined) await fsp.chown(runDir, workspace.uid, workspace.uid);
    const abort = new AbortController();
    const startedAt = Date.now();
    const config = ctx.config;
    // The owner's variables are secrets: never on a command line (secret-variables.ts).
    const secret = withSecretVariables(launch.profile.argv, launch.variables);
    const run = sandbox.run({
      argv: secret.argv,
      workspace,
      env: { TASKLANE_SOCKET: SOCKET_INSIDE, TASKLANE_ENV_ID: launch.envId },
      network: launch.profile.network && config.sandbox.allowNetwork,
      runDir,
      dataFiles: [...launch.profile.dataFiles, secret.dataFile],
      signal: abort.signal,
      limits: { timeoutMs: launch.maxRunMs, cpuSeconds: CPU_SECONDS, outputBytes: 64 * 1024 },
    });
    const entry: Running = { abort, runDir, exited: Promise.resolve() };
    entry.exited = run.then(
      (result) => {
        const reason =
          result.exitCode !== null
            ? `exited with code ${result.exitCode}`
            : result.timedOut
              ? 'reached its maximum run time'
              : result.memoryExceeded
                ? 'ran out of memory'
                : `was killed (${result.signal ?? 'unknown signal'})`;
        const tail = result.stderr.trim().split('\n').slice(-3).join(' | ');
        return this.#exited(launch, entry, `${reason}${tail ? `: ${tail}` : ''}`, startedAt);
      },
      (error: unknown) =>
        this.#exited(launch, entry, `could not start: ${String(error)}`, startedAt),
    );
    this.#running.set(launch.envId, entry);
    void this.#waitUntilReady(launch, entry);
  }

  /** Polls the socket until the program answers HTTP, then marks the environment running. */
  async #waitUntilReady(launch: EnvironmentLaunch, entry: Running): Promise<void> {
    const ctx = this.#ctx();
    const deadline = Date.now() + ctx.config.cmbcluster.startTimeoutMs;
    while (this.#running.get(launch.envId) === entry && !entry.stopping) {
      if (await answers(path.join(entry.runDir, 'http.sock'))) {
        const now = ctx.clock.now();
        const moved = await repo.transition(ctx, launch.envId, ['creating'], {
          status: 'running',
          started_at: now,
          last_activity_at: now,
          updated_at: now,
        });
        if (moved)
          await recordActivity(ctx, {
            ...launch.owner,
            action: 'environment_started',
            details: `Environment ${launch.envId} is running`,
          });
        return;
      }
      if (Date.now() > deadline) {
        entry.stopping = {
          action: 'environment_stopped',
          reason: `did not answer within ${Math.round(ctx.config.cmbcluster.startTimeoutMs / 1000)} s`,
        };
        await this.#fail(ctx, launch, entry.stopping.reason);
        entry.abort.abort();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
  }

  async #fail(ctx: Ctx, launch: EnvironmentLaunch, reason: string): Promise<void> {
    const now = ctx.clock.now();
    const moved = await repo.transition(ctx, launch.envId, ['creating', 'running'], {
      status: 'failed',
      status_reason: reason,
      stopped_at: now,
      updated_at: now,
    });
    if (moved)
      await recordActivity(ctx, {
        ...launch.owner,
        action: 'environment_failed',
        details: `Environment ${launch.envId} failed: ${reason}`,
        status: 'failure',
      });
  }

  async #exited(
    launch: EnvironmentLaunch,
    entry: Running,
    reason: string,
    startedAt: number,
  ): Promise<void> {
    const ctx = this.#ctx();
    try {
      if (entry.stopping) {
        const now = ctx.clock.now();
        const moved = await repo.transition(ctx, launch.envId, ['creating', 'running'], {
          status: 'stopped',
          status_reason: entry.stopping.reason,
          stopped_at: now,
          updated_at: now,
        });
        if (moved)
          await recordActivity(ctx, {
            ...launch.owner,
            action: entry.stopping.action,
            details: `Environment ${launch.envId} stopped: ${entry.stopping.reason}`,
          });
      } else {
        await this.#fail(ctx, launch, ctx.runtime.redactPaths(reason));
      }
      await meterSandboxTime(ctx, launch.owner, Date.now() - startedAt);
    } catch (error) {
      ctx.log.error({ err: error, env: launch.envId }, 'recording an environment exit failed');
    } finally {
      if (this.#running.get(launch.envId) === entry) this.#running.delete(launch.envId);
      // Its contents were the program's: removed without following anything in it.
      await fsp.rm(entry.runDir, { recursive: true, force: true }).catch(() => {});
    }
  }

  async stop(envId: string, why: StopReason): Promise<boolean> {
    const entry = this.#running.get(envId);
    if (!entry) return false;
    entry.stopping ??= why;
    entry.abort.abort();
    await entry.exited;
    return true;
  }

  async connect(envId: string): Promise<Socket> {
    const entry = this.#running.get(envId);
    if (!entry) throw new Error('environment is not running here');
    return connectToSocket(path.join(entry.runDir, 'http.sock'));
  }

  async open(): Promise<void> {
    const ctx = this.#ctx();
    const now = ctx.clock.now();
    for (const env of await repo.listActiveEnvironments(ctx)) {
      if (!isOrphan(env.host_id)) continue;
      const moved = await repo.transition(ctx, env.id, ['creating', 'running'], {
        status: 'stopped',
        status_reason: 'the server restarted',
        stopped_at: now,
        updated_at: now,
      });
      if (moved)
        await recordActivity(ctx, {
          userId: env.user_id,
          tenantId: env.tenant_id,
          action: 'environment_stopped',
          details: `Environment ${env.id} stopped: the server restarted`,
        });
    }
    clearInterval(this.#culler);
    this.#culler = setInterval(() => void this.cull(), ctx.config.cmbcluster.cullIntervalMs);
    this.#culler.unref();
  }

  /** Stops this process's environments that are past their uptime limit or idle too long. */
  async cull(): Promise<void> {
    if (this.#culling) return;
    this.#culling = true;
    const ctx = this.#ctx();
    try {
      const now = ctx.clock.now();
      const settings = ctx.config.cmbcluster;
      for (const env of await repo.listActiveEnvironments(ctx)) {
        if (!this.#running.has(env.id)) continue;
        const tier = settings.tiers[env.user_tier as Tier] ?? settings.tiers.free;
        let reason: string | undefined;
        if (tier.autoShutdown && env.started_at !== null) {
          if (now - env.started_at >= tier.maxUptimeMinutes * 60_000)
            reason = `reached the ${tier.maxUptimeMinutes}-minute uptime limit`;
        }
        if (!reason && now - env.last_activity_at >= settings.idleTimeoutMinutes * 60_000)
          reason = `idle for ${settings.idleTimeoutMinutes} minutes`;
        if (reason) await this.stop(env.id, { action: 'environment_culled', reason });
      }
    } catch (error) {
      ctx.log.warn({ err: error }, 'environment culler failed');
    } finally {
      this.#culling = false;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#culler);
    await Promise.allSettled(
      [...this.#running.keys()].map((id) =>
        this.stop(id, { action: 'environment_stopped', reason: 'the server shut down' }),
      ),
    );
  }
}

/** An environment whose server process is gone (same machine, that pid not alive or reused). */
function isOrphan(hostId: string | null): boolean {
  if (hostId === null) return true;
  const [host, pid] = hostId.split('|');
  if (host !== os.hostname()) return false;
  const n = Number(pid);
  return n === process.pid || !isProcessAlive(n);
}

/** Whether something answers HTTP on the socket. */
async function answers(socketPath: string): Promise<boolean> {
  let socket: Socket;
  try {
    socket = await connectToSocket(socketPath, 2000);
  } catch {
    return false;
  }
  return new Promise((resolve) => {
    const request = http.request(
      { method: 'HEAD', path: '/', createConnection: () => socket, timeout: 5000 },
      (response) => {
        response.resume();
        resolve(true);
        socket.destroy();
      },
    );
    request.on('error', () => resolve(false));
    request.on('timeout', () => {
      request.destroy();
      resolve(false);
    });
    request.end();
  });
}
