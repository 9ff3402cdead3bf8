/**
 * The Sandbox interface: run a command in a fresh, isolated workspace under resource
 * limits, and report what happened. Two drivers implement it (bubblewrap, and the
 * unisolated process driver an operator must opt into).
 */
export interface SandboxLimits {
  /** Wall clock; the whole process tree is killed when it passes. */
  timeoutMs: number;
  cpuSeconds: number;
  memoryMb: number;
  processes: number;
  fileSizeMb: number;
  openFiles: number;
  /** Per stream; the rest is dropped and the result says so. */
  outputBytes: number;
  workspaceMb: number;
  tmpMb: number;
}

export interface SandboxSpec {
  /** The command, as seen inside the sandbox (cwd is /workspace). */
  argv: string[];
  /** Host directory mounted read-write at /workspace; nothing else of the host is writable. */
  workspace: string;
  env?: Record<string, string>;
  stdin?: string;
  /** Network access; off unless the task's policy allows it. */
  network?: boolean;
  limits?: Partial<SandboxLimits>;
  /** Aborting kills the run (task cancellation). */
  signal?: AbortSignal;
  /** Extra read-only mounts (e.g. a language runtime outside /usr). */
  readOnlyBinds?: { host: string; inside: string }[];
}

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  /** The workspace outgrew its quota and the run was killed. */
  workspaceExceeded: boolean;
  durationMs: number;
  /** User + system CPU time of the whole tree, when measurable. */
  cpuMs: number | null;
  /** Peak resident memory of the largest process, when measurable. */
  maxRssKb: number | null;
}

export interface Sandbox {
  readonly driver: 'bwrap' | 'process';
  /** Whether processes are isolated from the host (false only for the process driver). */
  readonly isolated: boolean;
  run(spec: SandboxSpec): Promise<SandboxResult>;
}

/** The configured sandbox, or why there is none. */
export type SandboxProvider =
  | { available: true; sandbox: Sandbox }
  | { available: false; reason: string };
