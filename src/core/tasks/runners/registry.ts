/** Task kind → runner. */
import { agentRunner } from './agent.runner.ts';
import { codeRunner } from './code.runner.ts';
import { dataProcessingRunner } from './data-processing.runner.ts';
import { manualRunner } from './manual.runner.ts';
import type { TaskRunner } from './runner.types.ts';

const runners = new Map<string, TaskRunner>();

export function registerRunner(runner: TaskRunner): void {
  runners.set(runner.kind, runner);
}

export function runnerFor(kind: string): TaskRunner | undefined {
  return runners.get(kind);
}

export function taskKinds(): string[] {
  return [...runners.keys()];
}

registerRunner(codeRunner);
registerRunner(dataProcessingRunner);
registerRunner(agentRunner);
registerRunner(manualRunner);
