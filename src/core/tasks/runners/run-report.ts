/** Turns a sandbox result into a task result and, when it failed, a message saying why. */
import type { Ctx } from '../../context.ts';
import type { SandboxResult } from '../../execution/sandbox.types.ts';

export function describeRun(run: SandboxResult): {
  ok: boolean;
  result: Record<string, unknown>;
  error: string;
} {
  const result = {
    stdout: run.stdout,
    stderr: run.stderr,
    exit_code: run.exitCode,
    stdout_truncated: run.stdoutTruncated,
    stderr_truncated: run.stderrTruncated,
    duration_ms: run.durationMs,
    cpu_ms: run.cpuMs,
    max_rss_kb: run.maxRssKb,
  };
  let error = '';
  if (run.timedOut) error = `Timed out after ${run.durationMs} ms`;
  else if (run.workspaceExceeded) error = 'The workspace exceeded its disk quota';
  else if (run.memoryExceeded) error = 'Killed: the program exceeded its memory limit';
  else if (run.cancelled) error = 'Cancelled';
  else if (run.exitCode !== 0)
    error = run.signal ? `Killed by ${run.signal}` : `Exited with code ${run.exitCode}`;
  if (error && run.stderr)
    error += `: ${run.stderr.trim().split('\n').slice(-3).join(' | ').slice(0, 500)}`;
  return { ok: error === '', result, error };
}

/** A run gets network only when the task asks and the operator allows it. */
export function networkAllowed(ctx: Ctx, requested: boolean | undefined): boolean {
  return Boolean(requested) && ctx.config.sandbox.allowNetwork;
}
