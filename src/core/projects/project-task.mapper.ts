/** A project task row as the core hands it out (shared by tasks and task groups). */
import type { UserActor } from '../context.ts';
import type { ProjectTaskRow } from './project-tasks.repo.ts';
import type { ProjectTask } from './projects.types.ts';

export function toProjectTask(actor: UserActor, row: ProjectTaskRow): ProjectTask {
  return {
    id: row.id,
    userId: row.user_id,
    userUuid: actor.userUuid,
    taskGroupId: row.task_group_id,
    parentTaskId: row.parent_task_id,
    title: row.title,
    description: row.description,
    status: row.status,
    ordinal: row.ordinal,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
