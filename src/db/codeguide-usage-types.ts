/**
 * CodeGuide part 2's tables (migration 0010), merged into the Database interface of
 * types.ts so the shared file needs no edit.
 */

export interface CodespaceTasksTable {
  id: string;
  tenant_id: string;
  user_id: number;
  project_id: string;
  repository_url: string;
  task_description: string;
  model_id: string | null;
  deployment_config: string | null;
  status: string;
  created_at: number;
  updated_at: number;
}

export interface ApiUsageLogsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  surface: string;
  endpoint: string;
  method: string;
  status_code: number;
  response_time_ms: number;
  created_at: number;
}

declare module './types.ts' {
  interface Database {
    codespace_tasks: CodespaceTasksTable;
    api_usage_logs: ApiUsageLogsTable;
  }
  interface UsageRecordsTable {
    /** The codespace task a client-reported usage row is about (migration 0010). */
    codespace_task_id: string | null;
  }
}
