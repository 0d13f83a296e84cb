/** The remote start/stop and reservation calls (EMP/OEM -> hub -> CPO). */
import type { Handlers } from '../../transport/server/index.js';
import type { HubContext } from '../context.js';
import { remoteSessionHandlers } from './remote.js';
import { reservationHandlers } from './reservations.js';

/** Handler map of the sessions slice. Example: `{ ...sessionHandlers(ctx) }` in hub/handlers.ts. */
export function sessionHandlers(ctx: HubContext): Handlers {
  return { ...remoteSessionHandlers(ctx), ...reservationHandlers(ctx) } as Handlers;
}
