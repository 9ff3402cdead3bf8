/** The one task model every surface presents in its own shape. */
import type { Lane } from '../jobs/jobs.types.ts';

export const TASK_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TERMINAL_STATUSES: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled'];

export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Priority words → the number the queue orders by (higher runs first). */
export const PRIORITY_RANK: Record<TaskPriority, number> = {
  low: 0,
  normal: 10,
  high: 20,
  urgent: 30,
};

export interface Task {
  id: string;
  tenantId: string;
  userId: number;
  kind: string;
  title: string | null;
  prompt: string | null;
  description: string | null;
  toolset: string[];
  parameters: Record<string, unknown>;
  metadata: Record<string, unknown>;
  priority: TaskPriority;
  lane: Lane;
  scheduledAt: number | null;
  dueDate: number | null;
  status: TaskStatus;
  progress: number;
  /** Whatever the run produced: parsed JSON, or a string. */
  result: unknown;
  errorMessage: string | null;
  attempts: number;
  retryCount: number;
  jobId: string | null;
  /** The surface that created it ('codeep', 'autoserve'…). */
  source: string;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  completedAt: number | null;
}

export interface CreateTaskInput {
  kind: string;
  title?: string | null;
  prompt?: string | null;
  description?: string | null;
  toolset?: string[];
  parameters?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  priority?: TaskPriority;
  scheduledAt?: number | null;
  dueDate?: number | null;
  source: string;
}

/** Which tasks a caller sees: their own (Codeep, AutoServe) or their tenant's (Task Assistant). */
export type TaskScope = 'user' | 'tenant';

export interface TaskListQuery {
  scope: TaskScope;
  status?: TaskStatus[];
  priority?: TaskPriority[];
  kind?: string[];
  createdFrom?: number;
  createdTo?: number;
  limit: number;
  offset: number;
}

export interface TaskPage {
  items: Task[];
  total: number;
}

/** Fields a client may change after creation; system fields (status, result…) included. */
export interface UpdateTaskInput {
  title?: string | null;
  description?: string | null;
  prompt?: string | null;
  priority?: TaskPriority;
  metadata?: Record<string, unknown>;
  dueDate?: number | null;
  status?: TaskStatus;
  result?: unknown;
  errorMessage?: string | null;
  startedAt?: number | null;
  completedAt?: number | null;
}

/** What may change while a task waits (AutoServe's PUT): it has not started yet. */
export interface PendingTaskChanges {
  title?: string | null;
  description?: string | null;
  priority?: TaskPriority;
  /** Epoch ms; null runs it as soon as a worker is free. */
  scheduledAt?: number | null;
}
