import type { Role, TenantRole, Tier } from '../context.ts';

/** A user as the core hands it to surfaces (never with secrets). */
export interface User {
  id: number;
  uuid: string;
  tenantId: string;
  username: string;
  email: string;
  fullName: string | null;
  role: Role;
  tenantRole: TenantRole;
  tier: Tier;
  dailyLimit: number;
  isActive: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}

/** What a successful login or refresh hands back. */
export interface TokenGrant {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Present when the caller asked for one (AutoServe shows it; Codeep does not). */
  refreshToken?: string;
  user: User;
  /** The user's API key in clear (Codeep shows it with the user). */
  apiKey: string | null;
}

export interface RegisterInput {
  username?: string;
  email: string;
  password?: string;
  fullName?: string | null;
  /** Join this tenant; otherwise a new tenant is created with the user as owner. */
  tenantId?: string;
  tenantName?: string;
  tenantRole?: TenantRole;
  role?: Role;
  tier?: Tier;
  dailyLimit?: number;
}
