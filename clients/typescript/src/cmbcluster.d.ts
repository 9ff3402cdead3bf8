import type { Client } from 'openapi-fetch';
import type { SurfaceClientOptions } from './core.js';
import type { paths } from './paths/cmbcluster.js';

export type { Auth, SurfaceClientOptions, TokenSource } from './core.js';
export type { paths } from './paths/cmbcluster.js';

/** A typed openapi-fetch client for CMBCluster's paths. */
export type CmbClusterClient = Client<paths>;

/**
 * CMBCluster's client: OpenID Connect sign-in with a session cookie, environments,
 * environment variables, files, activity, admin. Mounted at `/cmb` by default (AutoServe
 * has `/`).
 */
export declare function createCmbClusterClient(options: SurfaceClientOptions): CmbClusterClient;
