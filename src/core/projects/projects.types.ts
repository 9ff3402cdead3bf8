/** CodeGuide's planning entities as the core hands them to surfaces. */

export const PROJECT_STATUSES = [
  'draft',
  'active',
  'in_progress',
  'completed',
  'archived',
] as const;
export const TASK_STATUSES = ['pending', 'in_progress', 'completed', 'cancelled'] as const;

export interface CatalogEntry {
  id: string;
  key: string;
  name: string;
  description: string;
  isActive: boolean;
  ordinal: number;
  createdAt: number;
  updatedAt: number;
}

export interface AiTool extends CatalogEntry {
  category: string;
}

export interface ProjectDocument {
  id: string;
  projectId: string;
  userId: number;
  documentType: string;
  content: string;
  createdAt: number;
  updatedAt: number;
}

export interface Project {
  id: string;
  userId: number;
  userUuid: string;
  title: string;
  description: string;
  status: string;
  categoryId: string | null;
  codieToolId: string | null;
  toolsSelected: string[];
  aiQuestionaire: Record<string, unknown> | null;
  projectOutline: Record<string, unknown> | null;
  githubUrl: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A project with what hangs off it (documents, its category and tool). */
export interface ProjectDetail extends Project {
  documents: ProjectDocument[];
  category: CatalogEntry | null;
  codieTool: AiTool | null;
}

export interface ProjectInput {
  title?: string;
  description?: string;
  categoryId?: string | null;
  codieToolId?: string | null;
  toolsSelected?: string[];
  aiQuestionaire?: Record<string, unknown> | null;
  projectOutline?: Record<string, unknown> | null;
  githubUrl?: string | null;
  status?: string;
}

export interface ProjectListQuery {
  page: number;
  pageSize: number;
  search?: string;
  status?: string;
  /** Inclusive UTC epoch-ms bounds on created_at. */
  from?: number;
  to?: number;
  sort: 'asc' | 'desc';
}

export interface TaskGroup {
  id: string;
  userId: number;
  userUuid: string;
  projectId: string;
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

export interface TaskGroupDetail extends TaskGroup {
  tasks: ProjectTask[];
}

export interface ProjectTask {
  id: string;
  userId: number;
  userUuid: string;
  taskGroupId: string;
  parentTaskId: string | null;
  title: string;
  description: string;
  status: string;
  ordinal: number;
  createdAt: number;
  updatedAt: number;
}

export interface ProjectTaskDetail extends ProjectTask {
  subtasks: ProjectTask[];
}

export interface ProjectTaskFilter {
  taskGroupId?: string;
  parentTaskId?: string;
  status?: string;
  search?: string;
}

export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
