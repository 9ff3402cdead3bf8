/**
 * AutoServe's client: tasks with priority, schedule and retry, files, metrics,
 * autoscaling. Mounted at `/` by default. `/health`, `/info` and `/metrics` are platform
 * routes the server serves at its root whatever this mount, and the client sends them
 * there.
 */
import { createSurfaceClient } from './core.js';

/** Served at the server's root whatever AutoServe's mount. */
const ROOT_PATHS = ['/health', '/info', '/metrics'];

/**
 * @param {import('./core.js').SurfaceClientOptions} options
 * @returns {import('./autoserve.js').AutoServeClient}
 */
export function createAutoServeClient(options) {
  return createSurfaceClient(options, { mount: '/', rootPaths: ROOT_PATHS });
}
