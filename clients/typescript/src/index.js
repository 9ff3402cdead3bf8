/** Every surface's client factory, and the auth middleware, from one import. */

export { createAutoServeClient } from './autoserve.js';
export { createCmbClusterClient } from './cmbcluster.js';
export { createCodeepClient } from './codeep.js';
export { createCodeGuideClient } from './codeguide.js';
export { authMiddleware } from './core.js';
export { createTaskAssistantClient } from './taskassistant.js';
