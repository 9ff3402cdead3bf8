/**
 * Codeep's client: prompt + toolset tasks, quota, results, dashboard. Mounted at `/v1`
 * by default.
 */
import { createSurfaceClient } from './core.js';

/**
 * @param {import('./core.js').SurfaceClientOptions} options
 * @returns {import('./codeep.js').CodeepClient}
 */
export function createCodeepClient(options) {
  return createSurfaceClient(options, { mount: '/v1' });
}
