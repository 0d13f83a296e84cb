/** The hub's background workers; each slice that needs one adds it here. */
import type { HubContext, HubWorker } from './context.js';
import { startOutboxWorker } from './outbox/worker.js';
import { startLoopStats } from './loop-stats.js';
import { startMapRefresher } from './dashboard/map-refresher.js';

export function startWorkers(ctx: HubContext): HubWorker[] {
  const loopStats = startLoopStats(Number(process.env.OIOI_LOOP_STATS_MS ?? 0)); // diagnostics, see loop-stats.ts
  return [startOutboxWorker(ctx), startMapRefresher(ctx), ...(loopStats ? [loopStats] : [])];
}
