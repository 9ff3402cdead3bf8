/** What every agent tool gets: the run's workspace and sandbox, its network policy, and a usage hook. */
import type { Ctx } from '../../context.ts';
import type { Sandbox } from '../../execution/sandbox.types.ts';
import type { Workspace } from '../../execution/workspace.ts';

export interface ToolEnv {
  ctx: Ctx;
  workspace: Workspace;
  /** Absent when no sandbox is available; code_executor then says so to the model. */
  sandbox: Sandbox | undefined;
  /** Whether this run may reach the network (the task asked and the operator allows it). */
  network: boolean;
  signal: AbortSignal;
  reportSandboxMs(ms: number): void;
}

/** Tool output is fed back to the model: keep it bounded. */
export function clip(text: string, max = 16_000): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}\n…[truncated ${text.length - max} characters]`;
}
