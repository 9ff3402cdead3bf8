/**
 * Row types of every table, as Kysely sees them. Times are epoch milliseconds,
 * booleans 0/1 and JSON columns text (see dialect.ts).
 */
import type { Generated } from 'kysely';

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

export interface Database {
  tenants: TenantsTable;
  users: UsersTable;
  refresh_tokens: RefreshTokensTable;
  revoked_tokens: RevokedTokensTable;
}
