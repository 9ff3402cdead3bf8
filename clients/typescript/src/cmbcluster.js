/**
 * CMBCluster's client: OpenID Connect sign-in with a session cookie, environments,
 * environment variables, files, activity, admin. Mounted at `/cmb` by default (AutoServe
 * has `/`).
 */
import { createSurfaceClient } from './core.js';

/**
 * @param {import('./core.js').SurfaceClientOptions} options
 * @returns {import('./cmbcluster.js').CmbClusterClient}
 */
export function createCmbClusterClient(options) {
  return createSurfaceClient(options, { mount: '/cmb' });
}
