/** The CDR slice's calls: session-post (CPO) and fleet-post-cards (fleet). */
import type { Handlers } from '../../transport/server/index.js';
import type { HubContext } from '../context.js';
import { postFleetCards } from './fleet.js';
import { postCdr } from './service.js';

/** Handler map of the CDR slice. Example: `{ ...cdrHandlers(ctx) }` in hub/handlers.ts. */
export function cdrHandlers(ctx: HubContext): Handlers {
  return {
    'session-post': async (p, h) => {
      await postCdr(ctx, p, Number(h.principal.partnerId));
      return {};
    },
    'fleet-post-cards': async (p, h) => ({ 'fleet-cards': { processed: await postFleetCards(ctx, p as never, Number(h.principal.partnerId)) } }),
  };
}
