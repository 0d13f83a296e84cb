/**
 * Keeps the operator map's aggregates close to the stations while nobody looks at the dashboard
 * (issue 7): a status change (migration 820) or a station-post's new station (870) only marks its
 * station, and this worker drains the marks every `intervalMs` in slices of `slice` stations,
 * yielding to the event loop between slices so a backlog never holds up requests. Reads of the map
 * drain the marks themselves (storage/dashboard.ts `refreshMap`), so this bounds `map_dirty`'s
 * size, not the map's freshness.
 *
 * While the hub is busy (its event loop, or its durable write path, active more than
 * `busyUtilization` of a 50 ms sample taken at each interval) it takes only `busySlice` stations
 * per interval: the refresh is derived data, and under a flood of statuses it cost about a fifth
 * of each status's CPU (25-30 µs) and, in 500-station writes of 15-27 ms, every answer slower than
 * 20 ms (issue 7's status scenario: p99 37 ms with it, 17 ms without). Marks left waiting coalesce
 * (a station changing again before its refresh adds no write: the mark is there), their number is
 * bounded by the number of stations, the surface query reads a marked station's statuses from its
 * connectors, and quiet intervals drain them, a slice at a time, sampling the hub again before
 * each next slice so that a burst arriving meanwhile stops the drain.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import type { HubContext, HubWorker } from '../context.js';
import type { DashboardRepository } from '../../storage/dashboard.js';

export interface MapRefresherOptions {
  /** Pause between drains. */
  intervalMs?: number;
  /** Stations per refresh (one write each). */
  slice?: number;
  /** Event-loop utilization (0-1), sampled at each interval, above which the hub counts as busy (default 0.5). */
  busyUtilization?: number;
  /** Stations refreshed per interval while busy (default 50: about 1.5 ms of writes). */
  busySlice?: number;
  /** How busy the hub is now, 0-1 (default: `sampleUtilization`, 50 ms, event loop and write path). */
  utilization?: () => number | Promise<number>;
}

/**
 * How busy the hub is over the next `ms`: the larger of its event loop's utilization and its
 * durable write path's (`writeBusyMs`, when the storage keeps one). A hub that waits for fsyncs
 * (a CPO's full load of stations, each post a write of several pages) leaves its event loop idle
 * a third of the time, yet every write added to that path delays the answers waiting on it.
 * A sample of now, not an average since the last round, which would count a process stopped
 * meanwhile (SIGSTOP, a VM paused) as quiet and drain a whole backlog into the burst that follows.
 * Example: `(await sampleUtilization(50, storage.writeBusyMs)) > 0.5`.
 */
export async function sampleUtilization(ms = 50, writeBusyMs?: () => number): Promise<number> {
  const start = performance.eventLoopUtilization();
  const busy0 = writeBusyMs?.();
  const t0 = performance.now();
  // A timer that keeps the process alive: `stop()` awaits this sample, and an unref'd timer left
  // that promise pending on an empty event loop (a hub stopped while nothing else was pending).
  await sleep(ms);
  const loop = performance.eventLoopUtilization(start).utilization;
  if (busy0 === undefined || !writeBusyMs) return loop;
  return Math.max(loop, (writeBusyMs() - busy0) / (performance.now() - t0));
}

/**
 * One interval's refresh: one slice of `busySlice` while busy, else slices of `slice` until one
 * finds fewer marks than a slice, `stopped` says so, or `stillQuiet` (asked before each slice after
 * the first) says the hub is busy again. Returns the stations refreshed.
 * Example: `await refreshRound(storage.dashboard, false, { slice: 500, busySlice: 50 })`.
 */
export async function refreshRound(
  dashboard: Pick<DashboardRepository, 'refreshMap'>,
  busy: boolean,
  { slice, busySlice }: { slice: number; busySlice: number },
  stopped: () => boolean = () => false,
  stillQuiet: () => boolean | Promise<boolean> = () => true,
): Promise<number> {
  if (busy) return dashboard.refreshMap(busySlice);
  let total = 0;
  for (;;) {
    const n = await dashboard.refreshMap(slice);
    total += n;
    if (n < slice || stopped()) return total;
    // A quiet interval can end while its backlog drains: a burst of requests that starts meanwhile
    // would wait behind every slice of it (a CPO's full load of stations left 60-100k marks, whose
    // drain took 1-1.5 s of the event loop at the start of the next burst). Its own slices do not
    // count: the check samples the hub between them.
    if (!(await stillQuiet()) || stopped()) return total;
    await turn();
  }
}

/** Starts the worker. Example: `const w = startMapRefresher(ctx); …; await w.stop()`. */
export function startMapRefresher(
  ctx: Pick<HubContext, 'storage' | 'log'>,
  {
    intervalMs = 500,
    slice = 500,
    busyUtilization = 0.5,
    busySlice = 50,
    utilization = () => sampleUtilization(50, ctx.storage.writeBusyMs && (() => ctx.storage.writeBusyMs!())),
  }: MapRefresherOptions = {},
): HubWorker {
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function drain(): Promise<void> {
    try {
      const busy = (await utilization()) > busyUtilization;
      const stillQuiet = async () => (await utilization()) <= busyUtilization;
      if (!stopped) await refreshRound(ctx.storage.dashboard, busy, { slice, busySlice }, () => stopped, stillQuiet);
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
