/**
 * Codeep's status words (queued · processing · completed · failed) ↔ the core's.
 * Codeep has no "cancelled": a cancelled task shows as failed (its error_message says
 * it was cancelled), and the failed filter includes it.
 */
import type { TaskStatus } from '../../core/tasks/tasks.types.ts';

export const CODEEP_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type CodeepStatus = (typeof CODEEP_STATUSES)[number];

const TO_CODEEP: Record<TaskStatus, CodeepStatus> = {
  queued: 'queued',
  running: 'processing',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'failed',
};

export const toCodeepStatus = (status: TaskStatus): CodeepStatus => TO_CODEEP[status];

/** The core statuses a Codeep status word covers (for filters). */
export function coreStatuses(status: CodeepStatus): TaskStatus[] {
  return (Object.keys(TO_CODEEP) as TaskStatus[]).filter((s) => TO_CODEEP[s] === status);
}

/** The core status a client sets with PUT. */
export function coreStatus(status: CodeepStatus): TaskStatus {
  return status === 'processing' ? 'running' : status === 'completed' ? 'succeeded' : status;
}
