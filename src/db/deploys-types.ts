/**
 * The deploys capability's tables (migration 0012), merged into the Database interface
 * of types.ts so the shared file needs no edit.
 */

export interface CoolifyCredentialsTable {
  user_id: number;
  tenant_id: string;
  base_url: string;
  /** SecretBox output, bound to the user's uuid and `base_url` (deploys.service.ts). */
  token_sealed: string;
  created_at: number;
  updated_at: number;
}

export interface CoolifyDeploymentsTable {
  id: string;
  tenant_id: string;
  user_id: number;
  application_id: string;
  environment: string | null;
  /** JSON object. */
  config: string;
  status: string;
  coolify_deployment_uuid: string | null;
  message: string;
  base_url: string;
  /** Whose credentials started it: 'user' or 'installation'. */
  source: string;
  created_at: number;
}

declare module './types.ts' {
  interface Database {
    coolify_credentials: CoolifyCredentialsTable;
    coolify_deployments: CoolifyDeploymentsTable;
  }
}
