/** CMBCluster's tables (migration 0007): OIDC logins, environments, their variables, activity. */

export interface OidcLoginsTable {
  state_hash: string;
  sealed: string;
  redirect_uri: string;
  created_at: number;
  expires_at: number;
}

export interface CmbEnvironmentsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  image: string;
  profile: string;
  application_id: string | null;
  name: string | null;
  description: string | null;
  status: string;
  status_reason: string | null;
  host_id: string | null;
  created_at: number;
  started_at: number | null;
  stopped_at: number | null;
  last_activity_at: number;
  updated_at: number;
}

export interface CmbEnvVarsTable {
  user_id: number;
  key: string;
  value_sealed: string;
  created_at: number;
  updated_at: number;
}

export interface CmbActivityTable {
  id: string;
  tenant_id: string;
  user_id: number;
  action: string;
  details: string;
  status: string;
  created_at: number;
}
