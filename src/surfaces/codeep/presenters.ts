/** Core entities → Codeep's JSON. */
import type { User } from '../../core/identity/identity.types.ts';
import { isoTime } from '../../core/shared/clock.ts';
import type { Task } from '../../core/tasks/tasks.types.ts';
import { toCodeepStatus } from './statuses.ts';

export function presentUser(user: User, apiKey: string | null) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    api_key: apiKey,
    daily_limit: user.dailyLimit,
    created_at: isoTime(user.createdAt),
  };
}

/** Codeep's `result` is "string or null": JSON results are sent as their JSON text. */
export function resultText(result: unknown): string | null {
  if (result === null || result === undefined) return null;
  return typeof result === 'string' ? result : JSON.stringify(result);
}

/** The results endpoint's `result`: "parsed JSON result or string". */
export function parsedResult(result: unknown): unknown {
  if (typeof result !== 'string') return result ?? null;
  const trimmed = result.trim();
  if (!/^[[{]/.test(trimmed)) return result;
  try {
    return JSON.parse(trimmed);
  } catch {
    return result;
  }
}

export function presentTask(task: Task) {
  return {
    task_id: task.id,
    user_id: task.userId,
    prompt: task.prompt ?? '',
    toolset: task.toolset,
    status: toCodeepStatus(task.status),
    result: resultText(task.result),
    error_message:
      task.status === 'cancelled' ? (task.errorMessage ?? 'Cancelled') : task.errorMessage,
    created_at: isoTime(task.createdAt),
    updated_at: isoTime(task.updatedAt),
    started_at: isoTime(task.startedAt),
    completed_at: isoTime(task.completedAt),
  };
}

/** The create response shows only what exists at creation, as the spec's 201 example does. */
export function presentCreatedTask(task: Task) {
  const { task_id, user_id, prompt, toolset, status, created_at, updated_at } = presentTask(task);
  return { task_id, user_id, prompt, toolset, status, created_at, updated_at };
}

/** Dashboard lists show a prompt of at most 100 characters. */
export function shortPrompt(prompt: string | null): string {
  const text = prompt ?? '';
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** The dashboard shows the API key's first 8 characters only. */
export const truncatedKey = (key: string | null) => (key ? `${key.slice(0, 8)}...` : null);
