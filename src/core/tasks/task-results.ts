/** A task's results: once it has finished, its outcome and a signed download URL per stored file. */
import type { Ctx } from '../context.ts';
import { listTaskFiles, signedFileUrl } from '../files/files.service.ts';
import { getTask } from './tasks.service.ts';
import { type Task, TERMINAL_STATUSES } from './tasks.types.ts';

export interface TaskResults {
  task: Task;
  /** False while it is queued or running (there is nothing to fetch yet). */
  finished: boolean;
  /** File name → URL that downloads it without credentials until it expires. */
  urls: Record<string, string>;
}

export async function getTaskResults(
  ctx: Ctx,
  id: string,
  links: { baseUrl: string; ttlSeconds: number },
): Promise<TaskResults> {
  const task = await getTask(ctx, id);
  if (!TERMINAL_STATUSES.includes(task.status)) return { task, finished: false, urls: {} };
  const urls: Record<string, string> = {};
  for (const file of await listTaskFiles(ctx, task.id))
    urls[file.name] = signedFileUrl(ctx, file, links.ttlSeconds, links.baseUrl);
  return { task, finished: true, urls };
}
