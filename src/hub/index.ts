/** The hub layer's public face. */
export { startHub, type HubOptions, type RunningHub } from './app.js';
export { defaultHubConfig, type HubConfig, type HubContext } from './context.js';
export { addPartner, addKey, revokeKey } from './partners/partner-service.js';
