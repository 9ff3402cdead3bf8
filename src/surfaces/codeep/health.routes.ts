/** Codeep's health check. */
import { Type } from 'typebox';
import type { SurfaceApp } from '../../http/surface.ts';

export async function healthRoutes(app: SurfaceApp): Promise<void> {
  app.get(
    '/health',
    {
      config: { auth: 'none', rateLimits: [] },
      schema: {
        tags: ['Health'],
        summary: 'Check if the API is operational',
        response: { 200: Type.Object({ status: Type.String(), service: Type.String() }) },
      },
    },
    async () => ({ status: 'healthy', service: 'Codeep AI API' }),
  );
}
