/**
 * What a task runner is: one per task kind. It works inside the task's sandbox and
 * workspace, reports progress, stops when its signal aborts (cancellation), and
 * returns the result plus any files to keep. The agent runner (AI issue) has the same
 * shape and also reports usage.
 */
import type { Ctx } from '../../context.ts';
import type { Sandbox } from '../../execution/sandbox.types.ts';
import type { WarmProfile } from '../../execution/warm-profile.ts';
import type { Workspace } from '../../execution/workspace.ts';
import type { CreateTaskInput, Task } from '../tasks.types.ts';

export interface UsageReport {
  modelKey?: string;
  inputTokens?: number;
  outputTokens?: number;
  sandboxMs?: number;
  costMicroUsd?: number;
}

export interface TaskRunContext {
  /** A context acting as the task's owner (files and usage are theirs). */
  ctx: Ctx;
  task: Task;
  workspace: Workspace;
  /** The sandbox (always there for a runner that needsSandbox). */
  sandbox: Sandbox | undefined;
  signal: AbortSignal;
  /** Records a progress step (an event, and the task's progress percentage when given). */
  progress(step: {
    percent?: number;
    message: string;
    data?: Record<string, unknown>;
  }): Promise<void>;
  /** Adds usage the runner already metered (an agent's steps) to the task's tally. */
  reportUsage(usage: UsageReport): void;
  /** Meters sandbox time in the ledger (priced per second) and adds it to the tally. */
  meterSandbox(ms: number): Promise<void>;
  /** Copies one of the owner's uploaded files (by id or name) into the workspace; returns its workspace-relative path. */
  fetchInput(reference: string, as?: string): Promise<string>;
}

export interface OutputArtifact {
  name: string;
  content: string | Buffer;
  contentType?: string;
}

export interface TaskRunOutcome {
  status: 'succeeded' | 'failed';
  /** JSON-able result (an object, or a string). */
  result: unknown;
  errorMessage?: string | null;
  /** Files to keep besides those the run wrote to out/. */
  artifacts?: OutputArtifact[];
}

export interface TaskRunner {
  kind: string;
  /** Whether runs need the sandbox (code tasks are refused at once without one). */
  needsSandbox: boolean;
  /** Tracked only: no job runs it; a client sets its outcome. */
  manual?: boolean;
  /** Checked when the task is created, so a task that cannot run is never accepted. */
  validate(ctx: Ctx, input: CreateTaskInput): void | Promise<void>;
  /**
   * What the task's first sandbox run will need, when the runner knows it up front: its
   * workspace then comes from the warm pool, with that sandbox already started.
   */
  firstRun?(ctx: Ctx, task: Task): WarmProfile | undefined;
  run(run: TaskRunContext): Promise<TaskRunOutcome>;
}
