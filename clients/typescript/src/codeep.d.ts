import type { Client } from 'openapi-fetch';
import type { SurfaceClientOptions } from './core.js';
import type { paths } from './paths/codeep.js';

export type { Auth, SurfaceClientOptions, TokenSource } from './core.js';
export type { paths } from './paths/codeep.js';

/** A typed openapi-fetch client for Codeep's paths. */
export type CodeepClient = Client<paths>;

/**
 * Codeep's client: prompt + toolset tasks, quota, results, dashboard. Mounted at `/v1`
 * by default.
 */
export declare function createCodeepClient(options: SurfaceClientOptions): CodeepClient;
