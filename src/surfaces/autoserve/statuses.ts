/** AutoServe's status words ↔ the core's. */
import type { TaskStatus } from '../../core/tasks/tasks.types.ts';

/** The spec lists pending, running, completed, failed; a task cancelled elsewhere shows as cancelled. */
export const AUTOSERVE_STATUSES = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
] as const;
export type AutoServeStatus = (typeof AUTOSERVE_STATUSES)[number];

const TO_WIRE: Record<TaskStatus, AutoServeStatus> = {
  queued: 'pending',
  running: 'running',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

const TO_CORE: Record<AutoServeStatus, TaskStatus> = {
  pending: 'queued',
  running: 'running',
  completed: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const toAutoServeStatus = (status: TaskStatus): AutoServeStatus => TO_WIRE[status];
export const coreStatus = (status: AutoServeStatus): TaskStatus => TO_CORE[status];
