/** The hub's background workers; each slice that needs one adds it here. */
import type { HubContext, HubWorker } from './context.js';

export function startWorkers(_ctx: HubContext): HubWorker[] {
  return [];
}
