/** Job kind `task.run`: one attempt at running a task (retried if the worker fails, not if the task does). */
import type { JobDefinition } from '../jobs/jobs.types.ts';
import { eventForStatus, recordTaskEvent } from './task-events.ts';
import { executeTask, type RunTaskPayload } from './task-execution.ts';
import * as repo from './tasks.repo.ts';

export const runTaskJob: JobDefinition<RunTaskPayload> = {
  kind: 'task.run',
  maxAttempts: 3,
  backoff: { baseMs: 2000, maxMs: 60_000 },
  // Long enough for an agent run; each sandboxed command has its own, shorter limit.
  timeoutMs: 30 * 60_000,
  handler: executeTask,

  async onDead(tx, job, error) {
    const now = tx.clock.now();
    const task = await repo.updateTaskRow(
      tx,
      job.payload.taskId,
      {
        status: 'failed',
        error_message: `Task could not be run (${job.attempts} attempts): ${error}`,
        completed_at: now,
        updated_at: now,
      },
      ['queued', 'running'],
    );
    if (task)
      await recordTaskEvent(tx, task, eventForStatus('failed'), {
        error_message: task.errorMessage,
      });
  },

  async onCancelled(tx, job) {
    const now = tx.clock.now();
    const task = await repo.updateTaskRow(
      tx,
      job.payload.taskId,
      { status: 'cancelled', completed_at: now, updated_at: now },
      ['queued', 'running'],
    );
    if (task) await recordTaskEvent(tx, task, 'task.cancelled');
  },
};
