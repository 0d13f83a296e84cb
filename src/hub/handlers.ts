/**
 * The hub's handler map: each slice contributes the calls it serves.
 */
import type { Handlers } from '../transport/server/index.js';
import type { HubContext } from './context.js';
import { apiHandlers } from './api-handlers.js';

/** Every call the hub serves. */
export function hubHandlers(ctx: HubContext): Handlers {
  return {
    ...apiHandlers(ctx),
  };
}
