/**
 * The CMBCluster surface (specs/cmbcluster.md), mounted at /cmb by default: the
 * `{status, data, timestamp}` envelope, errors `{detail, error_code, timestamp}`.
 */
import type { SurfaceDefinition } from '../../http/surface.ts';
import { activityRoutes } from './activity.routes.ts';
import { adminRoutes } from './admin.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { envVarRoutes } from './env-vars.routes.ts';
import { environmentRoutes } from './environments.routes.ts';
import { renderCmbClusterError } from './errors.ts';
import { fileRoutes } from './files.routes.ts';
import { healthRoutes } from './health.routes.ts';
import { API_LIMITS } from './limits.ts';
import { userRoutes } from './users.routes.ts';

const VERSION = '1.0.0';

export const cmbClusterSurface: SurfaceDefinition = {
  name: 'cmbcluster',
  title: 'CMBCluster API (Tasklane)',
  description:
    'Sign in with OpenID Connect; encrypted environment variables; activity log; admin views.',
  version: VERSION,
  renderError: renderCmbClusterError,
  defaultRateLimits: API_LIMITS,
  async routes(app) {
    await healthRoutes(app, VERSION);
    await authRoutes(app);
    await userRoutes(app);
    await envVarRoutes(app);
    await environmentRoutes(app);
    await fileRoutes(app);
    await activityRoutes(app);
    await adminRoutes(app);
  },
};
