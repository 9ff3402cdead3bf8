/**
 * The AutoServe surface (specs/autoserve.md), mounted at / by default.
 */
import type { SurfaceDefinition } from '../../http/surface.ts';
import { authRoutes } from './auth.routes.ts';
import { renderAutoServeError } from './errors.ts';
import { API_LIMITS } from './limits.ts';
import { userRoutes } from './users.routes.ts';

export const autoserveSurface: SurfaceDefinition = {
  name: 'autoserve',
  title: 'AutoServe API (Tasklane)',
  description:
    'Tasks with priority, schedule and retry; files; system and task metrics; live events.',
  version: '1.0.0',
  renderError: renderAutoServeError,
  defaultRateLimits: API_LIMITS,
  async routes(app) {
    await authRoutes(app);
    await userRoutes(app);
  },
};
