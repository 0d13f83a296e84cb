/**
 * A diagnostic for soak tests and operators chasing stalls: with OIOI_LOOP_STATS_MS set, the hub
 * writes one line per interval to stderr with the event-loop delay it measured (perf_hooks), e.g.
 * `oioi-loop-stats {"p50Ms":10.1,"p99Ms":12.3,"maxMs":40.2,"rssMiB":96.5,"heapMiB":31.2}`.
 * It goes to stderr directly, not through the request logger, so OIOI_LOG=silent keeps it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { HubWorker } from './context.js';

/** Starts the reporter when `intervalMs` is a positive number, else returns undefined. Example: `startLoopStats(1000)`. */
export function startLoopStats(intervalMs: number | undefined): HubWorker | undefined {
  if (!(intervalMs !== undefined && Number.isFinite(intervalMs) && intervalMs > 0)) return undefined;
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const timer = setInterval(() => {
    const mem = process.memoryUsage();
    const line = { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), rssMiB: Math.round(mem.rss / 10485.76) / 100, heapMiB: Math.round(mem.heapUsed / 10485.76) / 100 };
    h.reset();
    process.stderr.write(`oioi-loop-stats ${JSON.stringify(line)}\n`);
  }, intervalMs);
  timer.unref();
  return { stop: async () => { clearInterval(timer); h.disable(); } };
}
