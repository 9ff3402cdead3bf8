/** Tenant membership: the tenant's admins add members; every member can list them. */
import type { Ctx } from '../context.ts';
import { forbidden } from '../errors.ts';
import * as repo from './identity.repo.ts';
import type { User } from './identity.types.ts';
import { registerUser, requireUser } from './users.service.ts';

export async function listTenantMembers(ctx: Ctx): Promise<User[]> {
  const actor = requireUser(ctx);
  return (await repo.listTenantUsers(ctx, actor.tenantId)).map(repo.toUser);
}

export async function addTenantMember(
  ctx: Ctx,
  input: { email: string; password: string; fullName?: string | null; role?: 'admin' | 'member' },
): Promise<User> {
  const actor = requireUser(ctx);
  if (actor.tenantRole === 'member') throw forbidden('Only tenant admins can add members');
  const { user } = await registerUser(ctx, {
    email: input.email,
    password: input.password,
    fullName: input.fullName ?? null,
    tenantId: actor.tenantId,
    tenantRole: input.role ?? 'member',
  });
  return user;
}
