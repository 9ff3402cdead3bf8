/**
 * CodeGuide's tables (migration 0008), merged into the Database interface of types.ts
 * so the shared file needs no edit.
 */

/** The shape every CodeGuide catalog table shares (document types, AI tools, categories). */
export interface CatalogTable {
  id: string;
  key: string;
  name: string;
  description: string;
  is_active: number;
  ordinal: number;
  created_at: number;
  updated_at: number;
}

export interface ProjectsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  title: string;
  description: string;
  status: string;
  category_id: string | null;
  codie_tool_id: string | null;
  tools_selected: string;
  ai_questionaire: string | null;
  project_outline: string | null;
  github_url: string | null;
  search_text: string;
  created_at: number;
  updated_at: number;
}

export interface ProjectDocumentsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  project_id: string;
  document_type: string;
  content: string;
  created_at: number;
  updated_at: number;
}

export interface TaskGroupsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  project_id: string;
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
}

export interface ProjectTasksTable {
  id: string;
  tenant_id: string;
  user_id: number;
  task_group_id: string;
  parent_task_id: string | null;
  title: string;
  description: string;
  status: string;
  ordinal: number;
  search_text: string;
  created_at: number;
  updated_at: number;
}

export interface GenerationJobsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  project_id: string;
  document_types: string;
  status: string;
  progress: string;
  results: string;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export interface NotificationsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  type: string;
  title: string;
  message: string;
  is_read: number;
  event_id: string | null;
  created_at: number;
}

export interface AiToolsTable extends CatalogTable {
  category: string;
}

declare module './types.ts' {
  interface Database {
    document_types: CatalogTable;
    ai_tools: AiToolsTable;
    project_categories: CatalogTable;
    projects: ProjectsTable;
    project_documents: ProjectDocumentsTable;
    task_groups: TaskGroupsTable;
    project_tasks: ProjectTasksTable;
    generation_jobs: GenerationJobsTable;
    notifications: NotificationsTable;
  }
}
