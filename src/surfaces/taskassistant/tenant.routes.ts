/** Task Assistant tenant membership: list members; admins add members. */
import { Type } from 'typebox';
import { addTenantMember, listTenantMembers } from '../../core/identity/tenants.service.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { presentUser } from './presenters.ts';
import { AddMemberBody, ErrorSchema, RegisteredUserSchema } from './schemas.ts';

const security = [{ bearerAuth: [] }];

export async function tenantRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/tenant/members',
    {
      schema: {
        tags: ['Tenant'],
        summary: "The members of the caller's tenant",
        security,
        response: {
          200: Type.Object({ items: Type.Array(RegisteredUserSchema), total: Type.Integer() }),
          401: ErrorSchema,
        },
      },
    },
    async (request) => {
      const members = await listTenantMembers(ctxOf(request));
      return { items: members.map(presentUser), total: members.length };
    },
  );

  app.post(
    '/tenant/members',
    {
      schema: {
        tags: ['Tenant'],
        summary: 'Add a member to the tenant (tenant admins only)',
        security,
        body: AddMemberBody,
        response: {
          201: RegisteredUserSchema,
          401: ErrorSchema,
          403: ErrorSchema,
          409: ErrorSchema,
          422: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { email, password, full_name, role } = request.body;
      const user = await addTenantMember(ctxOf(request), {
        email,
        password,
        fullName: full_name,
        role,
      });
      return reply.code(201).send(presentUser(user));
    },
  );
}
