import type { Client } from 'openapi-fetch';
import type { SurfaceClientOptions } from './core.js';
import type { paths } from './paths/taskassistant.js';

export type { Auth, SurfaceClientOptions, TokenSource } from './core.js';
export type { paths } from './paths/taskassistant.js';

/** A typed openapi-fetch client for Task Assistant's paths. */
export type TaskAssistantClient = Client<paths>;

/**
 * Task Assistant's client: tenants, tasks, chat, agents, webhooks. Mounted at `/` by
 * default; its paths start with `/api/v1` (its OpenAPI document's server URL), which the
 * client adds: call `/tasks`, `/auth/login`.
 */
export declare function createTaskAssistantClient(
  options: SurfaceClientOptions,
): TaskAssistantClient;
