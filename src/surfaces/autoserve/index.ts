/**
 * The AutoServe surface (specs/autoserve.md), mounted at / by default.
 */
import type { SurfaceDefinition } from '../../http/surface.ts';
import { authRoutes } from './auth.routes.ts';
import { AUTOSERVE_DOCUMENT_PATHS } from './document-paths.ts';
import { renderAutoServeError } from './errors.ts';
import { fileRoutes } from './files.routes.ts';
import { API_LIMITS } from './limits.ts';
import { metricsRoutes } from './metrics.routes.ts';
import { mlRoutes } from './ml.routes.ts';
import { taskRoutes } from './tasks.routes.ts';
import { userRoutes } from './users.routes.ts';
import { wsRoutes } from './ws.routes.ts';

export const autoserveSurface: SurfaceDefinition = {
  name: 'autoserve',
  title: 'AutoServe API (Tasklane)',
  description:
    'Tasks with priority, schedule and retry; files; system and task metrics; live events.',
  version: '1.0.0',
  renderError: renderAutoServeError,
  defaultRateLimits: API_LIMITS,
  documentPaths: AUTOSERVE_DOCUMENT_PATHS,
  async routes(app) {
    await authRoutes(app);
    await userRoutes(app);
    await taskRoutes(app);
    await fileRoutes(app);
    await metricsRoutes(app);
    await wsRoutes(app);
    await mlRoutes(app);
  },
};
