/**
 * Row types of every table, as Kysely sees them. Times are epoch milliseconds,
 * booleans 0/1 and JSON columns text (see dialect.ts).
 */

import type { Generated } from 'kysely';
import type {
  AutoscaleDecisionsTable,
  AutoscaleModelsTable,
  AutoscaleSamplesTable,
  AutoscaleStateTable,
} from './autoscale-types.ts';
import type {
  CmbActivityTable,
  CmbEnvironmentsTable,
  CmbEnvVarsTable,
  OidcLoginsTable,
} from './cmbcluster-types.ts';

export interface TenantsTable {
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface UsersTable {
  id: Generated<number>;
  uuid: string;
  tenant_id: string;
  username: string;
  email: string;
  full_name: string | null;
  password_hash: string | null;
  role: string;
  tenant_role: string;
  tier: string;
  daily_limit: number;
  is_active: number;
  api_key_hash: string | null;
  api_key_ciphertext: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  created_at: number;
  updated_at: number;
}

export interface RefreshTokensTable {
  id: string;
  user_id: number;
  family_id: string;
  token_hash: string;
  expires_at: number;
  rotated_at: number | null;
  revoked_at: number | null;
  created_at: number;
}

export interface RevokedTokensTable {
  jti: string;
  expires_at: number;
}

export interface JobsTable {
  id: string;
  kind: string;
  tenant_id: string | null;
  lane: string;
  priority: number;
  payload: string;
  status: string;
  run_at: number;
  attempts: number;
  max_attempts: number;
  lease_id: string | null;
  lease_expires_at: number | null;
  worker_id: string | null;
  cancel_requested: number;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface JobTenantSlotsTable {
  tenant_id: string;
  running: number;
}

export interface WorkersTable {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  started_at: number;
  heartbeat_at: number;
  stopped_at: number | null;
}

export interface TasksTable {
  id: string;
  tenant_id: string;
  user_id: number;
  kind: string;
  title: string | null;
  prompt: string | null;
  description: string | null;
  toolset: string;
  parameters: string;
  metadata: string;
  priority: string;
  lane: string;
  scheduled_at: number | null;
  due_date: number | null;
  status: string;
  progress: number;
  result: string | null;
  error_message: string | null;
  attempts: number;
  retry_count: number;
  job_id: string | null;
  source: string;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  completed_at: number | null;
}

export interface DailyUsageTable {
  user_id: number;
  day: number;
  tasks: number;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  tenant_id: string | null;
  user_id: number | null;
  type: string;
  subject_id: string | null;
  subject_seq: number | null;
  payload: string;
  created_at: number;
  dispatched_at: number | null;
}

export interface FilesTable {
  id: string;
  tenant_id: string;
  user_id: number;
  task_id: string | null;
  kind: string;
  name: string;
  sha256: string;
  size: number;
  content_type: string;
  description: string | null;
  status: string;
  created_at: number;
}

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  revoked_tokens: RevokedTokensTable;
  jobs: JobsTable;
  job_tenant_slots: JobTenantSlotsTable;
  workers: WorkersTable;
  tasks: TasksTable;
  daily_usage: DailyUsageTable;
  events: EventsTable;
  files: FilesTable;
  usage_records: UsageRecordsTable;
  credit_accounts: CreditAccountsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  agents: AgentsTable;
  agent_runs: AgentRunsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  oidc_logins: OidcLoginsTable;
  cmb_environments: CmbEnvironmentsTable;
  cmb_env_vars: CmbEnvVarsTable;
  cmb_activity: CmbActivityTable;
  autoscale_samples: AutoscaleSamplesTable;
  autoscale_decisions: AutoscaleDecisionsTable;
  autoscale_models: AutoscaleModelsTable;
  autoscale_state: AutoscaleStateTable;
}

export interface UsageRecordsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  kind: 'llm' | 'sandbox' | 'task' | 'tracked';
  model_key: string | null;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  duration_ms: number;
  cost_micro_usd: number;
  task_id: string | null;
  conversation_id: string | null;
  agent_run_id: string | null;
  day: number;
  created_at: number;
}

export interface CreditAccountsTable {
  user_id: number;
  cycle_start: number;
  cycle_end: number;
  plan: string;
  allotted_micro_usd: number;
  consumed_micro_usd: number;
  reserved_micro_usd: number;
  updated_at: number;
}

export interface ConversationsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  title: string | null;
  provider: string | null;
  model: string | null;
  system_prompt: string | null;
  metadata: string;
  created_at: number;
  updated_at: number;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  tenant_id: string;
  role: 'user' | 'assistant' | 'system';
  content: string;
  tokens_used: number;
  cost_micro_usd: number;
  created_at: number;
}

export interface AgentsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  name: string;
  description: string | null;
  instructions: string | null;
  provider: string | null;
  model: string | null;
  temperature: number | null;
  tools: string;
  metadata: string;
  is_active: number;
  created_at: number;
  updated_at: number;
}

export interface AgentRunsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  agent_id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  input: string;
  output: string | null;
  error_message: string | null;
  tokens_used: number;
  cost_micro_usd: number;
  tools_used: string;
  metadata: string;
  execution_time_ms: number | null;
  created_at: number;
  completed_at: number | null;
}

export interface WebhooksTable {
  id: string;
  tenant_id: string;
  user_id: number;
  url: string;
  event_types: string;
  secret_sealed: string;
  description: string | null;
  is_active: number;
  disabled_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  tenant_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  webhook_id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: number;
}
