/** Task events: every status change and progress step, in the outbox, numbered per task. */
import type { Ctx } from '../context.ts';
import type { StoredEvent } from '../events/events.types.ts';
import { recordEvent } from '../events/outbox.ts';
import type { Task } from './tasks.types.ts';

export type TaskEventType =
  | 'task.created'
  | 'task.started'
  | 'task.progress'
  | 'task.completed'
  | 'task.failed'
  | 'task.cancelled'
  | 'task.updated'
  | 'task.retried'
  | 'task.deleted';

export function recordTaskEvent(
  ctx: Ctx,
  task: Task,
  type: TaskEventType,
  extra: Record<string, unknown> = {},
): Promise<StoredEvent> {
  return recordEvent(ctx, {
    type,
    tenantId: task.tenantId,
    userId: task.userId,
    subjectId: task.id,
    // A task's first event: nothing was recorded about it before.
    ...(type === 'task.created' ? { subjectSeq: 1 } : {}),
    payload: {
      task_id: task.id,
      kind: task.kind,
      status: task.status,
      progress: task.progress,
      ...extra,
    },
  });
}

/** The event type that announces a task reaching a status. */
export function eventForStatus(status: Task['status']): TaskEventType {
  switch (status) {
    case 'succeeded':
      return 'task.completed';
    case 'failed':
      return 'task.failed';
    case 'cancelled':
      return 'task.cancelled';
    case 'running':
      return 'task.started';
    default:
      return 'task.updated';
  }
}
