/** CMBCluster's /health and / (no authentication). */

import type { SurfaceApp } from '../../http/surface.ts';
import { checkHealth } from '../../http/system.routes.ts';
import { HealthResponse, RootResponse } from './schemas.ts';

export async function healthRoutes(app: SurfaceApp, version: string): Promise<void> {
  app.get(
    '/health',
    {
      config: { auth: 'none', rateLimits: [] },
      schema: {
        tags: ['Health'],
        summary: 'API health (database and Redis are really checked)',
        response: { 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (request, reply) => {
      const { healthy, body } = await checkHealth(
        request.server.runtime as Parameters<typeof checkHealth>[0],
      );
      return reply.code(healthy ? 200 : 503).send({ ...body, version });
    },
  );

  app.get(
    '/',
    {
      config: { auth: 'none', rateLimits: [] },
      schema: { tags: ['Health'], summary: 'Service root', response: { 200: RootResponse } },
    },
    async () => ({ service: 'CMBCluster API', version, status: 'healthy', docs: '/docs' }),
  );
}
