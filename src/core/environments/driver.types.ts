/**
 * What runs environments. The surface and the service never see how: the local driver
 * (bubblewrap on this machine) is the one Tasklane ships; a Kubernetes driver would
 * implement the same interface (see docs/surfaces/cmbcluster.md).
 */
import type { Socket } from 'node:net';
import type { Ctx } from '../context.ts';
import type { EnvironmentProfile } from './profiles.ts';

export interface EnvironmentLaunch {
  envId: string;
  owner: { userId: number; userUuid: string; tenantId: string };
  profile: EnvironmentProfile;
  /** The owner's variables in clear, injected into the environment. */
  variables: Record<string, string>;
  /** A backstop: the process is killed after this even if the culler is not running. */
  maxRunMs: number;
}

export interface EnvironmentDriver {
  /** This server process, as recorded on the environments it runs. */
  readonly hostId: string;
  /**
   * Starts the environment (status `creating`). The driver moves it to `running` once it
   * answers HTTP, to `failed` (with the reason) if it exits or never answers, and to
   * `stopped` after stop(); each move is recorded in the activity log.
   */
  start(ctx: Ctx, launch: EnvironmentLaunch): Promise<void>;
  /** Stops the process tree and records why; false when this driver is not running it. */
  stop(envId: string, why: StopReason): Promise<boolean>;
  /** A connection to the environment's HTTP server. */
  connect(envId: string): Promise<Socket>;
  /** Recovers from a restart and starts the culler. */
  open(): Promise<void>;
  /** Stops everything it runs (shutdown). */
  close(): Promise<void>;
}

export interface StopReason {
  action: 'environment_stopped' | 'environment_culled';
  reason: string;
}
