/**
 * Task Assistant's words ↔ the core's. Status: pending (queued or running), completed,
 * failed (failed or cancelled). Priority: low, medium (the core's normal), high (and
 * urgent, shown as high).
 */
import type { TaskPriority, TaskStatus } from '../../core/tasks/tasks.types.ts';

export const TA_STATUSES = ['pending', 'completed', 'failed'] as const;
export type TaStatus = (typeof TA_STATUSES)[number];
export const TA_PRIORITIES = ['low', 'medium', 'high'] as const;
export type TaPriority = (typeof TA_PRIORITIES)[number];

const STATUS: Record<TaskStatus, TaStatus> = {
  queued: 'pending',
  running: 'pending',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'failed',
};

export const toTaStatus = (status: TaskStatus): TaStatus => STATUS[status];

export function coreStatuses(status: TaStatus): TaskStatus[] {
  return (Object.keys(STATUS) as TaskStatus[]).filter((s) => STATUS[s] === status);
}

export function coreStatus(status: TaStatus): TaskStatus {
  return status === 'pending' ? 'queued' : status === 'completed' ? 'succeeded' : 'failed';
}

export const toTaPriority = (priority: TaskPriority): TaPriority =>
  priority === 'normal' ? 'medium' : priority === 'urgent' ? 'high' : priority;

export const corePriority = (priority: TaPriority): TaskPriority =>
  priority === 'medium' ? 'normal' : priority;

export function corePriorities(priority: TaPriority): TaskPriority[] {
  return priority === 'high' ? ['high', 'urgent'] : [corePriority(priority)];
}
