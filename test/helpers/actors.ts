/** Users and their actors for core tests (no HTTP). */
import type { Ctx, UserActor } from '../../src/core/context.ts';
import { authenticateApiKey } from '../../src/core/identity/auth.service.ts';
import { updateUserRow } from '../../src/core/identity/identity.repo.ts';
import { registerUser } from '../../src/core/identity/users.service.ts';
import type { TestRuntime } from './runtime.ts';

let n = 0;

export async function newActor(
  t: TestRuntime,
  options: { tier?: 'free' | 'pro' | 'premium'; dailyLimit?: number; tenantId?: string } = {},
): Promise<{ actor: UserActor; ctx: Ctx }> {
  n += 1;
  const { user, apiKey } = await registerUser(t.ctx(), {
    username: `actor${n}_${process.pid}`,
    email: `actor${n}_${process.pid}@example.com`,
    password: 'password-123',
    tier: options.tier,
    dailyLimit: options.dailyLimit,
    tenantId: options.tenantId,
  });
  if (options.dailyLimit !== undefined)
    await updateUserRow(t.ctx(), user.id, { daily_limit: options.dailyLimit });
  const actor = await authenticateApiKey(t.ctx(), apiKey);
  return { actor, ctx: t.ctx(actor) };
}
