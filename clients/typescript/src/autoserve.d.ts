import type { Client } from 'openapi-fetch';
import type { SurfaceClientOptions } from './core.js';
import type { paths } from './paths/autoserve.js';

export type { Auth, SurfaceClientOptions, TokenSource } from './core.js';
export type { paths } from './paths/autoserve.js';

/** A typed openapi-fetch client for AutoServe's paths. */
export type AutoServeClient = Client<paths>;

/**
 * AutoServe's client: tasks with priority, schedule and retry, files, metrics,
 * autoscaling. Mounted at `/` by default. `/health`, `/info` and `/metrics` are platform
 * routes the server serves at its root whatever this mount, and the client sends them
 * there.
 */
export declare function createAutoServeClient(options: SurfaceClientOptions): AutoServeClient;
