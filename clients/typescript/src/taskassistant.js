/**
 * Task Assistant's client: tenants, tasks, chat, agents, webhooks. Mounted at `/` by
 * default; its paths start with `/api/v1` (its OpenAPI document's server URL), which the
 * client adds: call `/tasks`, `/auth/login`.
 */
import { createSurfaceClient } from './core.js';

/**
 * @param {import('./core.js').SurfaceClientOptions} options
 * @returns {import('./taskassistant.js').TaskAssistantClient}
 */
export function createTaskAssistantClient(options) {
  return createSurfaceClient(options, { mount: '/', basePath: '/api/v1' });
}
