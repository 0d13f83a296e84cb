/**
 * Keeps the operator map's status aggregates close to the connectors while nobody looks at the
 * dashboard (issue 7): a status change only marks its station (migration 820), and this worker
 * drains the marks every `intervalMs` in slices of `slice` stations, yielding to the event loop
 * between slices so a backlog never holds up requests. Reads of the map drain the marks themselves
 * (storage/dashboard.ts `refreshMap`), so this bounds `map_dirty`'s size, not the map's freshness.
 */
import { setImmediate as turn } from 'node:timers/promises';
import type { HubContext, HubWorker } from '../context.js';

export interface MapRefresherOptions {
  /** Pause between drains. */
  intervalMs?: number;
  /** Stations per refresh (one write each). */
  slice?: number;
}

/** Starts the worker. Example: `const w = startMapRefresher(ctx); …; await w.stop()`. */
export function startMapRefresher(ctx: Pick<HubContext, 'storage' | 'log'>, { intervalMs = 500, slice = 500 }: MapRefresherOptions = {}): HubWorker {
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function drain(): Promise<void> {
    try {
      while (!stopped && (await ctx.storage.dashboard.refreshMap(slice)) >= slice) await turn();
    } catch (error) {
      // storage unavailable or closing: the marks stay, the next round takes them
      if (!stopped) ctx.log.warn({ msg: 'map refresh failed', error: String((error as Error)?.message ?? error) });
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = drain().finally(() => {
        running = undefined;
        schedule();
      });
    }, intervalMs);
    timer.unref();
  }

  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
