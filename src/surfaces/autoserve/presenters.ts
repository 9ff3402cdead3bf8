/** Core entities → AutoServe's JSON. */
import type { StoredFile } from '../../core/files/files.types.ts';
import type { TokenGrant, User } from '../../core/identity/identity.types.ts';
import { isoTime } from '../../core/shared/clock.ts';
import type { TaskMetrics } from '../../core/tasks/task-metrics.ts';
import type { Task } from '../../core/tasks/tasks.types.ts';
import { toAutoServeStatus } from './statuses.ts';

export function presentUser(user: User) {
  return {
    id: user.uuid,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    is_active: user.isActive,
    created_at: isoTime(user.createdAt),
    updated_at: isoTime(user.updatedAt),
  };
}

export function presentToken(grant: TokenGrant) {
  return {
    access_token: grant.accessToken,
    ...(grant.refreshToken ? { refresh_token: grant.refreshToken } : {}),
    token_type: 'bearer' as const,
    expires_in: grant.expiresIn,
  };
}

/** Where this surface's own paths start in links (the mount, without a trailing slash). */
export interface Links {
  /** e.g. `https://api.example.com` + the surface mount. */
  base: string;
}

const iso = (ms: number | null) => (ms === null ? null : isoTime(ms));

export function fileDownloadUrl(links: Links, fileId: string): string {
  return `${links.base}/files/${fileId}/download`;
}

/** A result that names its stored output gets a download URL beside the file id. */
function presentResult(result: unknown, links: Links): unknown {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return result ?? null;
  const fileId = (result as Record<string, unknown>).file_id;
  return typeof fileId === 'string'
    ? { ...result, download_url: fileDownloadUrl(links, fileId) }
    : result;
}

function taskCore(task: Task) {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    status: toAutoServeStatus(task.status),
    priority: task.priority,
    created_at: isoTime(task.createdAt),
    updated_at: isoTime(task.updatedAt),
  };
}

export function presentTask(task: Task, links: Links) {
  return {
    ...taskCore(task),
    scheduled_at: iso(task.scheduledAt),
    completed_at: iso(task.completedAt),
    task_type: task.kind,
    parameters: task.parameters,
    result: presentResult(task.result, links),
    error: task.errorMessage,
  };
}

export function presentTaskListItem(task: Task, links: Links) {
  return {
    ...taskCore(task),
    scheduled_at: iso(task.scheduledAt),
    completed_at: iso(task.completedAt),
    result: presentResult(task.result, links),
    error: task.errorMessage,
  };
}

export function presentCreatedTask(task: Task) {
  return {
    ...taskCore(task),
    scheduled_at: iso(task.scheduledAt),
    task_type: task.kind,
    parameters: task.parameters,
  };
}

export const presentUpdatedTask = taskCore;

export function presentRetriedTask(task: Task) {
  return {
    id: task.id,
    status: toAutoServeStatus(task.status),
    retry_count: task.retryCount,
    updated_at: isoTime(task.updatedAt),
  };
}

export function presentFile(file: StoredFile) {
  return {
    id: file.id,
    filename: file.name,
    size: file.size,
    content_type: file.contentType,
    description: file.description,
    upload_date: isoTime(file.createdAt),
    status: file.status,
  };
}

export function presentFileWithUrl(file: StoredFile, links: Links) {
  return { ...presentFile(file), download_url: fileDownloadUrl(links, file.id) };
}

export function presentTaskMetrics(m: TaskMetrics) {
  return {
    timestamp: isoTime(m.at),
    tasks_total: m.total,
    tasks_pending: m.queued,
    tasks_running: m.running,
    tasks_completed: m.succeeded,
    tasks_failed: m.failed,
    average_processing_time: m.averageProcessingSeconds,
    queue_depth: m.queueDepth,
    worker_count: m.workerSlots,
    throughput: m.throughputPerMinute,
  };
}
