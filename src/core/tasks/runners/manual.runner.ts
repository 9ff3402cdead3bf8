/**
 * Task kind `manual`: a tracked to-do that no worker runs. It stays queued (Task
 * Assistant's "pending") until a client sets its status and result. Task Assistant
 * tasks are manual when no AI provider is configured.
 */
import type { TaskRunner } from './runner.types.ts';

export const manualRunner: TaskRunner = {
  kind: 'manual',
  needsSandbox: false,
  manual: true,
  validate() {},
  async run() {
    return { status: 'failed', result: null, errorMessage: 'Manual tasks are not run by workers' };
  },
};
