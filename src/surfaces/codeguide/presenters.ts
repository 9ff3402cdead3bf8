/** Core entities → CodeGuide's JSON (ids as strings, times ISO 8601 with Z). */
import type { User } from '../../core/identity/identity.types.ts';
import type { Notification } from '../../core/notifications/notifications.service.ts';
import type {
  AiTool,
  CatalogEntry,
  Paged,
  Project,
  ProjectDetail,
  ProjectDocument,
  ProjectTask,
  ProjectTaskDetail,
  TaskGroup,
  TaskGroupDetail,
} from '../../core/projects/projects.types.ts';
import { isoTime } from '../../core/shared/clock.ts';

export const success = <T>(data: T) => ({ status: 'success' as const, data });

export function successPage<T, R>(page: Paged<T>, present: (item: T) => R) {
  return {
    status: 'success' as const,
    data: page.items.map(present),
    pagination: {
      total: page.total,
      page: page.page,
      page_size: page.pageSize,
      total_pages: Math.ceil(page.total / page.pageSize),
    },
  };
}

export const successMessage = (message: string) => ({ status: 'success' as const, message });

export function presentCatalogEntry(entry: CatalogEntry) {
  return {
    id: entry.id,
    key: entry.key,
    name: entry.name,
    description: entry.description,
    is_active: entry.isActive,
    ordinal: entry.ordinal,
    created_at: isoTime(entry.createdAt),
    updated_at: isoTime(entry.updatedAt),
  };
}

export function presentAiTool(tool: AiTool) {
  return { ...presentCatalogEntry(tool), category: tool.category };
}

/** `name` is the full name when the user gave one, else the username. */
export function presentMe(user: User) {
  return {
    id: user.uuid,
    email: user.email,
    name: user.fullName ?? user.username,
    created_at: isoTime(user.createdAt),
    updated_at: isoTime(user.updatedAt),
  };
}

export function presentProject(project: Project) {
  return {
    id: project.id,
    title: project.title,
    description: project.description,
    user_id: project.userUuid,
    created_at: isoTime(project.createdAt),
    updated_at: isoTime(project.updatedAt),
    status: project.status,
    category_id: project.categoryId,
    codie_tool_id: project.codieToolId,
    tools_selected: project.toolsSelected,
    ai_questionaire: project.aiQuestionaire,
    project_outline: project.projectOutline,
    github_url: project.githubUrl,
  };
}

export function presentProjectDocument(document: ProjectDocument) {
  return {
    id: document.id,
    project_id: document.projectId,
    document_type: document.documentType,
    content: document.content,
    created_at: isoTime(document.createdAt),
    updated_at: isoTime(document.updatedAt),
  };
}

export function presentProjectDetail(project: ProjectDetail) {
  return {
    ...presentProject(project),
    project_documents: project.documents.map(presentProjectDocument),
    category: project.category ? presentCatalogEntry(project.category) : null,
    codie_tool: project.codieTool ? presentAiTool(project.codieTool) : null,
  };
}

export function presentProjectTask(task: ProjectTask) {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    user_id: task.userUuid,
    task_group_id: task.taskGroupId,
    parent_task_id: task.parentTaskId,
    ordinal: task.ordinal,
    created_at: isoTime(task.createdAt),
    updated_at: isoTime(task.updatedAt),
  };
}

export function presentProjectTaskDetail(task: ProjectTaskDetail) {
  return { ...presentProjectTask(task), subtasks: task.subtasks.map(presentProjectTask) };
}

export function presentTaskGroup(group: TaskGroup) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    user_id: group.userUuid,
    project_id: group.projectId,
    created_at: isoTime(group.createdAt),
    updated_at: isoTime(group.updatedAt),
  };
}

export function presentTaskGroupDetail(group: TaskGroupDetail) {
  return { ...presentTaskGroup(group), project_tasks: group.tasks.map(presentProjectTask) };
}

export function presentNotification(notification: Notification) {
  return {
    id: notification.id,
    user_id: notification.userUuid,
    type: notification.type,
    title: notification.title,
    message: notification.message,
    is_read: notification.isRead,
    created_at: isoTime(notification.createdAt),
  };
}
