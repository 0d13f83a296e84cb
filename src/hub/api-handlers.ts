/** api-minimum-version-number: the oldest client version the hub accepts. */
import type { Handlers } from '../transport/server/index.js';
import type { HubContext } from './context.js';

export function apiHandlers(ctx: HubContext): Handlers {
  return {
    'api-minimum-version-number': () => ({ 'api-minimum-version-number': { 'minimum-version': ctx.config.minimumVersion } }),
  };
}
