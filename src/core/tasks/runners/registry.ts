/**
 * The task kinds this build runs. The runtime turns the list into its kind → runner map
 * (runtime.ts); core code looks runners up there, never through module state.
 */
import type { Ctx } from '../../context.ts';
import { agentRunner } from './agent.runner.ts';
import { codeRunner } from './code.runner.ts';
import { dataProcessingRunner } from './data-processing.runner.ts';
import { manualRunner } from './manual.runner.ts';
import type { TaskRunner } from './runner.types.ts';

export const TASK_RUNNERS: readonly TaskRunner[] = [
  codeRunner,
  dataProcessingRunner,
  agentRunner,
  manualRunner,
];

export function runnerFor(ctx: Ctx, kind: string): TaskRunner | undefined {
  return ctx.runtime.taskRunners.get(kind);
}

export function taskKinds(ctx: Ctx): string[] {
  return [...ctx.runtime.taskRunners.keys()];
}
