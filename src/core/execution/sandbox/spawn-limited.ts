/**
 * The part both drivers share: spawn a prepared command line, enforce the wall clock
 * and cancellation by killing the whole process group, feed stdin and data files
 * through pipes, and capture (or stream) capped output. Nothing here touches the
 * workspace's files: quotas are the kernel's (tmpfs) or the workspace's own check.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Readable, type Writable } from 'node:stream';
import { CappedOutput } from '../output-capture.ts';
import type {
  PreparedCommand,
  SandboxLimits,
  SandboxResult,
  SandboxSpec,
} from '../sandbox.types.ts';

export interface LimitedCommand {
  prepared: PreparedCommand;
  limits: SandboxLimits;
  cwd: string;
  env: Record<string, string>;
  stdin?: SandboxSpec['stdin'];
  stdout?: SandboxSpec['stdout'];
  /** Contents for fds 3, 4, … (the driver refers to them in its command line). */
  fdData?: (string | Buffer)[];
  signal?: AbortSignal;
  workspace: SandboxSpec['workspace'];
  /** The child is a warm sandbox's stub (started before this run). */
  warm?: boolean;
}

/** How often the no-tmpfs fallback checks the workspace's size (off the event loop). */
const QUOTA_CHECK_MS = 1000;

export function spawnLimited(command: LimitedCommand): Promise<SandboxResult> {
  const child = spawnGroup(command.prepared, command.cwd, command.env, command.fdData?.length ?? 0);
  return superviseLimited(child, command);
}

/**
 * Spawns a prepared command line in its own process group (so one kill reaches every
 * descendant outside the namespaces too), with pipes for stdio and `extraFds` more.
 */
export function spawnGroup(
  prepared: PreparedCommand,
  cwd: string,
  env: Record<string, string>,
  extraFds: number,
): ChildProcess {
  return spawn(prepared.argv[0]!, prepared.argv.slice(1), {
    cwd,
    env,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', ...Array.from({ length: extraFds }, () => 'pipe' as const)],
  });
}

/**
 * Sees a spawned command through: feeds its stdin and extra fds, captures (or streams)
 * its output, kills it on the wall clock, cancellation or a blown quota, and reports.
 * The child may have been spawned earlier (a warm sandbox) but must not have exited;
 * the clock starts here.
 */
export async function superviseLimited(
  child: ChildProcess,
  command: Omit<LimitedCommand, 'cwd' | 'env'>,
): Promise<SandboxResult> {
  const { limits, prepared } = command;
  const extraFds = command.fdData ?? [];
  const started = performance.now();
  let exited = false;
  // First, so an exit is never missed (a warm child is known to be running up to here).
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('error', () => resolve([null, null]));
    child.on('close', (code, sig) => resolve([code, sig]));
  });
  const childOut = child.stdout!;
  const childErr = child.stderr!;
  const stdout = new CappedOutput(limits.outputBytes);
  const stderr = new CappedOutput(limits.outputBytes);
  const sink = typeof command.stdout === 'object' ? command.stdout : undefined;
  if (sink) pipeToSink(childOut, sink, () => kill());
  else childOut.on('data', (chunk: Buffer) => stdout.push(chunk));
  childErr.on('data', (chunk: Buffer) => stderr.push(chunk));
  feedStdin(child.stdin!, command.stdin);
  extraFds.forEach((content, i) => {
    const pipe = child.stdio[3 + i] as Writable;
    pipe.on('error', () => {}); // the sandbox may fail before reading it
    pipe.end(content);
  });

  let timedOut = false;
  let cancelled = false;
  let workspaceExceeded = false;
  const kill = () => {
    try {
      if (child.pid !== undefined && !exited) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, limits.timeoutMs);
  const onAbort = () => {
    cancelled = true;
    kill();
  };
  if (command.signal?.aborted) onAbort();
  command.signal?.addEventListener('abort', onAbort, { once: true });
  const quota = watchQuota(command.workspace, () => {
    workspaceExceeded = true;
    kill();
  });

  const [exitCode, signal] = await closed;
  exited = true;
  clearTimeout(timer);
  quota.stop();
  command.signal?.removeEventListener('abort', onAbort);
  if (!workspaceExceeded && (await command.workspace.overQuota())) workspaceExceeded = true;

  const usage = await prepared.finish();
  const killed = timedOut || cancelled || workspaceExceeded;
  return {
    exitCode: killed ? null : exitCode,
    signal: killed || usage.memoryExceeded ? 'SIGKILL' : signal,
    stdout: stdout.text(),
    ...(command.stdout === 'bytes' ? { stdoutBytes: stdout.bytes() } : {}),
    stderr: stderr.text(),
    stdoutTruncated: stdout.truncated,
    stderrTruncated: stderr.truncated,
    timedOut,
    cancelled,
    workspaceExceeded,
    memoryExceeded: usage.memoryExceeded,
    durationMs: Math.round(performance.now() - started),
    cpuMs: usage.cpuMs,
    maxRssKb: usage.maxRssKb,
    warmStart: command.warm ?? false,
  };
}

function feedStdin(stdin: Writable, input: SandboxSpec['stdin']): void {
  stdin.on('error', () => {}); // the command may exit without reading stdin
  if (input instanceof Readable) {
    input.on('error', () => stdin.destroy());
    input.pipe(stdin);
  } else stdin.end(input ?? '');
}

/** Streams stdout into a sink with backpressure; a sink that gives up stops the run. */
function pipeToSink(stdout: Readable, sink: Writable, stop: () => void): void {
  stdout.pipe(sink);
  const end = () => {
    stdout.unpipe(sink);
    stdout.resume();
    stop();
  };
  sink.on('error', end);
  sink.on('close', () => {
    if (!stdout.readableEnded) end();
  });
}

/** The periodic size check for workspaces the kernel does not cap (off the event loop). */
function watchQuota(workspace: SandboxSpec['workspace'], exceeded: () => void): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    if (stopped) return;
    if (await workspace.overQuota()) {
      if (!stopped) exceeded();
      return;
    }
    if (!stopped) timer = setTimeout(tick, QUOTA_CHECK_MS);
  };
  timer = setTimeout(tick, QUOTA_CHECK_MS);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
