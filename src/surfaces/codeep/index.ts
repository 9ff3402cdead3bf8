/**
 * The Codeep surface (specs/codeep-v1.md), mounted at /v1 by default.
 */
import type { SurfaceDefinition } from '../../http/surface.ts';
import { authRoutes } from './auth.routes.ts';
import { dashboardRoutes } from './dashboard.routes.ts';
import { renderCodeepError } from './errors.ts';
import { healthRoutes } from './health.routes.ts';
import { API_LIMITS } from './limits.ts';
import { quotaRoutes } from './quota.routes.ts';
import { taskRoutes } from './tasks.routes.ts';

export const codeepSurface: SurfaceDefinition = {
  name: 'codeep',
  title: 'Codeep AI API (Tasklane)',
  description:
    'Prompt + toolset tasks in sandboxes, daily quota, queue status, results and analytics.',
  version: '1.0.0',
  renderError: renderCodeepError,
  defaultRateLimits: API_LIMITS,
  async routes(app) {
    await authRoutes(app);
    await quotaRoutes(app);
    await taskRoutes(app);
    await dashboardRoutes(app);
    await healthRoutes(app);
  },
};
