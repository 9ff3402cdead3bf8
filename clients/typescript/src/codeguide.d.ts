import type { Client } from 'openapi-fetch';
import type { SurfaceClientOptions } from './core.js';
import type { paths } from './paths/codeguide.js';

export type { Auth, SurfaceClientOptions, TokenSource } from './core.js';
export type { paths } from './paths/codeguide.js';

/** A typed openapi-fetch client for CodeGuide's paths. */
export type CodeGuideClient = Client<paths>;

/**
 * CodeGuide's client: projects, task groups, document generation, codespace tasks,
 * repository analysis, usage. Mounted at `/v1` by default, beside Codeep.
 */
export declare function createCodeGuideClient(options: SurfaceClientOptions): CodeGuideClient;
