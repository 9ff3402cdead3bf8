/**
 * Repository analysis tables (migration 0011), merged into the Database interface of
 * types.ts so the shared file needs no edit. JSON columns are text, booleans 0/1.
 */

export interface AnalyzedRepositoriesTable {
  id: string;
  tenant_id: string;
  user_id: number;
  repository_url: string;
  name: string;
  analysis_results: string;
  last_task_id: string;
  created_at: number;
  updated_at: number;
}

export interface RepositoryAnalysisTasksTable {
  id: string;
  tenant_id: string;
  user_id: number;
  repository_url: string;
  project_id: string | null;
  repository_id: string | null;
  generate_documents: number;
  create_codespace_task: number;
  status: string;
  message: string;
  progress: number;
  source: string | null;
  statistics: string | null;
  summary: string | null;
  documents: string | null;
  codespace_task_id: string | null;
  warnings: string;
  result: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
}

declare module './types.ts' {
  interface Database {
    analyzed_repositories: AnalyzedRepositoriesTable;
    repository_analysis_tasks: RepositoryAnalysisTasksTable;
  }
}
