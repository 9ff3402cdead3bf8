/**
 * CodeGuide's client: projects, task groups, document generation, codespace tasks,
 * repository analysis, usage. Mounted at `/v1` by default, beside Codeep.
 */
import { createSurfaceClient } from './core.js';

/**
 * @param {import('./core.js').SurfaceClientOptions} options
 * @returns {import('./codeguide.js').CodeGuideClient}
 */
export function createCodeGuideClient(options) {
  return createSurfaceClient(options, { mount: '/v1' });
}
