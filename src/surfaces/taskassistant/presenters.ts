/** Core entities → Task Assistant's JSON. */
import type { TenantRole } from '../../core/context.ts';
import type { TokenGrant, User } from '../../core/identity/identity.types.ts';
import { isoTime } from '../../core/shared/clock.ts';

/** The spec names two roles: the tenant's admin (its owner or an admin) and members. */
export function presentRole(role: TenantRole): string {
  return role === 'member' ? 'member' : 'admin';
}

export function presentUser(user: User) {
  return {
    id: user.uuid,
    email: user.email,
    full_name: user.fullName,
    role: presentRole(user.tenantRole),
    tenant_id: user.tenantId,
    created_at: isoTime(user.createdAt),
  };
}

export function presentToken(grant: TokenGrant) {
  return {
    access_token: grant.accessToken,
    token_type: 'bearer' as const,
    expires_in: grant.expiresIn,
  };
}
