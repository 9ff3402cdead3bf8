/** Core entities → AutoServe's JSON. */
import type { TokenGrant, User } from '../../core/identity/identity.types.ts';
import { isoTime } from '../../core/shared/clock.ts';

export function presentUser(user: User) {
  return {
    id: user.uuid,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    is_active: user.isActive,
    created_at: isoTime(user.createdAt),
    updated_at: isoTime(user.updatedAt),
  };
}

export function presentToken(grant: TokenGrant) {
  return {
    access_token: grant.accessToken,
    ...(grant.refreshToken ? { refresh_token: grant.refreshToken } : {}),
    token_type: 'bearer' as const,
    expires_in: grant.expiresIn,
  };
}
