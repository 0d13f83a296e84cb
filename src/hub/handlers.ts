/**
 * The hub's handler map: each slice contributes the calls it serves.
 */
import type { Handlers } from '../transport/server/index.js';
import type { HubContext } from './context.js';
import { apiHandlers } from './api-handlers.js';
import { sessionHandlers } from './sessions/handlers.js';
import { cdrHandlers } from './cdrs/handlers.js';
import { poiHandlers } from './poi/handlers.js';
import { authorizationHandlers } from './authorization/handlers.js';

/** Every call the hub serves. */
export function hubHandlers(ctx: HubContext): Handlers {
  return {
    ...apiHandlers(ctx),
    ...sessionHandlers(ctx),
    ...cdrHandlers(ctx),
    ...poiHandlers(ctx),
    ...authorizationHandlers(ctx),
  };
}
