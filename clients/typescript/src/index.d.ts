export { type AutoServeClient, createAutoServeClient } from './autoserve.js';
export { type CmbClusterClient, createCmbClusterClient } from './cmbcluster.js';
export { type CodeepClient, createCodeepClient } from './codeep.js';
export { type CodeGuideClient, createCodeGuideClient } from './codeguide.js';
export type { Auth, SurfaceClientOptions, TokenSource } from './core.js';
export { authMiddleware } from './core.js';
export { createTaskAssistantClient, type TaskAssistantClient } from './taskassistant.js';
