/** Codeep quota: /auth/quota and /auth/quota/validate (429 when today's quota is used up). */
import { Type } from 'typebox';
import { quotaStatus } from '../../core/tasks/analytics.ts';
import { ctxOf } from '../../http/context.ts';
import type { SurfaceApp } from '../../http/surface.ts';
import { ErrorSchema, QuotaSchema } from './schemas.ts';

const security = [{ bearerAuth: [] }];

export async function quotaRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/auth/quota',
    {
      schema: {
        tags: ['Quota'],
        summary: 'Current quota usage (UTC day)',
        security,
        response: { 200: QuotaSchema, 401: ErrorSchema },
      },
    },
    async (request) => {
      const quota = await quotaStatus(ctxOf(request));
      return {
        daily_limit: quota.dailyLimit,
        used_today: quota.usedToday,
        remaining: quota.remaining,
      };
    },
  );

  app.get(
    '/auth/quota/validate',
    {
      schema: {
        tags: ['Quota'],
        summary: 'Whether the user has quota left today',
        security,
        response: {
          200: Type.Object({
            valid: Type.Boolean(),
            daily_limit: Type.Integer(),
            used_today: Type.Integer(),
            remaining: Type.Integer(),
          }),
          429: Type.Object({
            valid: Type.Boolean(),
            msg: Type.String(),
            daily_limit: Type.Integer(),
            used_today: Type.Integer(),
          }),
          401: ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const quota = await quotaStatus(ctxOf(request));
      if (quota.remaining <= 0) {
        return reply.code(429).send({
          valid: false,
          msg: 'Daily quota exceeded',
          daily_limit: quota.dailyLimit,
          used_today: quota.usedToday,
        });
      }
      return {
        valid: true,
        daily_limit: quota.dailyLimit,
        used_today: quota.usedToday,
        remaining: quota.remaining,
      };
    },
  );
}
