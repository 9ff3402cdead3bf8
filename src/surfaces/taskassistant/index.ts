/**
 * The Task Assistant surface (specs/taskassistant-v1.md). Its paths start with
 * /api/v1, under a mount of / by default.
 */
import type { SurfaceDefinition } from '../../http/surface.ts';
import { agentRoutes } from './agents.routes.ts';
import { authRoutes } from './auth.routes.ts';
import { chatRoutes } from './chat.routes.ts';
import { renderTaskAssistantError } from './errors.ts';
import { API_LIMITS } from './limits.ts';
import { taskRoutes } from './tasks.routes.ts';
import { tenantRoutes } from './tenant.routes.ts';
import { webhookRoutes } from './webhooks.routes.ts';
import { wsRoutes } from './ws.routes.ts';

export const taskAssistantSurface: SurfaceDefinition = {
  name: 'taskassistant',
  title: 'Task Assistant API (Tasklane)',
  description: 'Tenants, tasks, chat with streaming, agents, webhooks and a WebSocket.',
  version: '1.0.0',
  basePath: '/api/v1',
  renderError: renderTaskAssistantError,
  defaultRateLimits: API_LIMITS,
  async routes(app) {
    await authRoutes(app);
    await tenantRoutes(app);
    await taskRoutes(app);
    await chatRoutes(app);
    await agentRoutes(app);
    await webhookRoutes(app);
    await wsRoutes(app);
  },
};
