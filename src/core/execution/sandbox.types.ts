/**
 * The Sandbox interface: run a command in a task's workspace, isolated and under
 * resource limits, and report what happened. Two drivers implement it (bubblewrap, and
 * the unisolated process driver an operator must opt into).
 */
import type { Readable, Writable } from 'node:stream';

export interface SandboxLimits {
  /** Wall clock; the whole process tree is killed when it passes. */
  timeoutMs: number;
  cpuSeconds: number;
  /** The run's memory cap (its cgroup's; RLIMIT_AS where there are no cgroups). */
  memoryMb: number;
  processes: number;
  fileSizeMb: number;
  openFiles: number;
  /** Per stream; the rest is dropped and the result says so. */
  outputBytes: number;
  /** Size of the workspace (a tmpfs of this size when the server may mount one). */
  workspaceMb: number;
  /** Size of each of the sandbox's private tmpfs mounts (/tmp, /dev/shm). */
  tmpMb: number;
}

/** What a sandbox needs of a workspace (see workspace.ts). */
export interface SandboxWorkspace {
  /** Host directory mounted read-write at /workspace; nothing else of the host is writable. */
  readonly dir: string;
  /** The unprivileged uid that owns it and that every run in it uses (server running as root). */
  readonly uid: number | undefined;
  /** Called as a run starts: from now on the workspace's contents are hostile. */
  taint(): void;
  /** Over its quota, when the kernel does not hold the quota itself (no tmpfs). */
  overQuota(): Promise<boolean>;
  /**
   * The sandbox already started in this workspace by the warm pool, handed over once
   * (the next call answers undefined): the driver runs the spec in it when the spec is
   * what it was started for, and discards it otherwise.
   */
  takeWarm?(): WarmSandbox | undefined;
}

/** What a warm sandbox is started with; the rest of a spec comes with the run. */
export type WarmStartSpec = Pick<
  SandboxSpec,
  'workspace' | 'network' | 'readOnlyBinds' | 'limits'
> & {
  /** The program the run will exec (its address-space limit depends on it without cgroups). */
  program: string;
};

/**
 * A sandbox started ahead of its run (sandbox/warm-sandbox.ts): namespaces, mounts,
 * cgroup, uid and rlimits are in place and a stub waits for the command. Used once.
 */
export interface WarmSandbox {
  /** Still waiting for its command. */
  readonly alive: boolean;
  /** Runs `spec` if it is what the sandbox was started for; otherwise undefined (and it is discarded). */
  tryRun(spec: SandboxSpec): Promise<SandboxResult> | undefined;
  /** Kills the stub and removes its cgroup. */
  discard(): Promise<void>;
}

export interface SandboxSpec {
  /** The command, as seen inside the sandbox (cwd is /workspace). */
  argv: string[];
  workspace: SandboxWorkspace;
  env?: Record<string, string>;
  stdin?: string | Buffer | Readable;
  /** Network access; off unless the task's policy allows it. */
  network?: boolean;
  limits?: Partial<SandboxLimits>;
  /** Aborting kills the run (task cancellation). */
  signal?: AbortSignal;
  /**
   * A server-made host directory mounted read-write at /run/tasklane (an environment's
   * sockets). Its contents are the program's: the server reaches them only as
   * environments/socket-connect.ts does (no links followed, nothing blocking).
   */
  runDir?: string;
  /** Extra read-only mounts (e.g. a language runtime outside /usr). */
  readOnlyBinds?: { host: string; inside: string }[];
  /**
   * Read-only files placed in the sandbox outside the workspace (a tool's program):
   * handed over through a pipe, so nothing is written to a host path.
   */
  dataFiles?: { inside: string; content: string | Buffer }[];
  /** Where stdout goes: captured as text (default), as bytes, or streamed to a sink. */
  stdout?: 'text' | 'bytes' | Writable;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  /** stdout as bytes, when the spec asked for 'bytes'. */
  stdoutBytes?: Buffer;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  /** The workspace outgrew its quota and the run was killed (no-tmpfs fallback only). */
  workspaceExceeded: boolean;
  /** The kernel killed the run for going over its memory cap. */
  memoryExceeded: boolean;
  durationMs: number;
  /** User + system CPU time of the whole tree, when measurable. */
  cpuMs: number | null;
  /** Peak memory of the run's process tree, when measurable. */
  maxRssKb: number | null;
  /** The run went into a sandbox the warm pool had started (its start was not waited for). */
  warmStart: boolean;
}

/** A command line the caller spawns itself (e.g. a browser that a library launches). */
export interface PreparedCommand {
  /** The full command: launch prefix, bwrap and its arguments, then the program's argv. */
  argv: string[];
  /** Reports the run's usage and removes its cgroup; call once the command has exited. */
  finish(): Promise<Pick<SandboxResult, 'cpuMs' | 'maxRssKb' | 'memoryExceeded'>>;
}

export interface Sandbox {
  readonly driver: 'bwrap' | 'process';
  /** Whether processes are isolated from the host (false only for the process driver). */
  readonly isolated: boolean;
  /** How memory is capped: per-run cgroups, or only the address-space rlimit. */
  readonly memoryControl: 'cgroup-v1' | 'cgroup-v2' | 'rlimit';
  run(spec: SandboxSpec): Promise<SandboxResult>;
  /** The command line for `spec`, for a caller that must spawn it itself. */
  prepare(spec: Omit<SandboxSpec, 'stdin' | 'stdout' | 'signal'>): Promise<PreparedCommand>;
  /** Starts a sandbox ahead of its run (the warm pool); drivers that isolate nothing have none. */
  prestart?(start: WarmStartSpec): Promise<WarmSandbox>;
}

/** The configured sandbox, or why there is none. */
export type SandboxProvider =
  | { available: true; sandbox: Sandbox }
  | { available: false; reason: string };
