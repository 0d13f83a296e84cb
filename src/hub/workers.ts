/** The hub's background workers; each slice that needs one adds it here. */
import type { HubContext, HubWorker } from './context.js';
import { startOutboxWorker } from './outbox/worker.js';

export function startWorkers(ctx: HubContext): HubWorker[] {
  return [startOutboxWorker(ctx)];
}
