/** Core entities → Codeep's JSON. */
import type { User } from '../../core/identity/identity.types.ts';
import { isoTime } from '../../core/shared/clock.ts';

export function presentUser(user: User, apiKey: string | null) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    api_key: apiKey,
    daily_limit: user.dailyLimit,
    created_at: isoTime(user.createdAt),
  };
}
