/**
 * The CodeGuide surface (specs/codeguide-v1.md), mounted at /v1 beside Codeep by
 * default (no path of one is a path of the other; test/surfaces/codeguide/routes.test.ts
 * checks it). This file registers the planning half (generation, projects, task groups,
 * project tasks, catalogs, the user and notifications) and the second half's usage, API
 * usage logs, codespace tasks and models, and Coolify.
 */
import type { SurfaceDefinition } from '../../http/surface.ts';
import { apiUsageLogRoutes } from './api-usage-logs.routes.ts';
import { catalogRoutes } from './catalogs.routes.ts';
import { codespaceRoutes } from './codespace.routes.ts';
import { coolifyRoutes } from './coolify.routes.ts';
import { renderCodeGuideError } from './errors.ts';
import { generationRoutes } from './generation.routes.ts';
import { API_LIMITS } from './limits.ts';
import { notificationRoutes } from './notifications.routes.ts';
import { projectTaskRoutes } from './project-tasks.routes.ts';
import { projectRoutes } from './projects.routes.ts';
import { repositoryAnalysisRoutes } from './repository-analysis.routes.ts';
import { taskGroupRoutes } from './task-groups.routes.ts';
import { usageRoutes } from './usage.routes.ts';

export const codeGuideSurface: SurfaceDefinition = {
  name: 'codeguide',
  title: 'CodeGuide API (Tasklane)',
  description:
    'Projects, task groups and tasks, LLM document generation (also in the background), catalogs and notifications. Authenticate with X-API-Key + X-User-ID, or Authorization: Bearer <JWT>.',
  version: '1.0.0',
  // Codeep shares /v1: errors before routing under these paths are CodeGuide's.
  ownedPaths: [
    '/generate',
    '/projects',
    '/task-groups',
    '/project-tasks',
    '/document-types',
    '/ai-tools',
    '/users',
    '/notifications',
    '/codespace',
    '/codespace-models',
    '/usage',
    '/api-usage-logs',
    '/coolify',
    '/repository-analysis',
  ],
  renderError: renderCodeGuideError,
  defaultRateLimits: API_LIMITS,
  async routes(app) {
    await generationRoutes(app);
    await projectRoutes(app);
    await taskGroupRoutes(app);
    await projectTaskRoutes(app);
    await catalogRoutes(app);
    await notificationRoutes(app);
    await usageRoutes(app);
    await apiUsageLogRoutes(app);
    await codespaceRoutes(app);
    await coolifyRoutes(app);
    await repositoryAnalysisRoutes(app);
  },
};
