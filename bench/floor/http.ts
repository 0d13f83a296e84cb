/**
 * What node:http's own layer costs per request on this machine: the bench's bare `node:http`
 * baseline against a minimal HTTP/1.1 server on `node:net` (minimal-http-server.ts), both pinned
 * to the server core, driven alike by the bench's load generator with connector-post-status
 * bodies, in alternating rounds. The difference in CPU per request is the most any replacement of
 * node:http could save the hub per request.
 * Usage: `node --import tsx bench/floor/http.ts [--duration S]` (default 12 s per server).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BodyPlan } from '../bodies.js';
import { runLoad, stopLoad, type LoadResult } from '../load.js';
import { killAll, procCpuMs, startServer } from '../processes.js';
import { scratchDir } from '../scratch.js';

const args = process.argv.slice(2);
const durationArg = args.indexOf('--duration');
const seconds = durationArg >= 0 ? Number(args[durationArg + 1]) : 12;
const ROUNDS = 3;
const dir = scratchDir('oioi-floor-http-');
const plan: BodyPlan = { kind: 'status', partnerIdentifier: 'floor', operator: 'FLR', connectors: 100_000, seed: 12 };

try {
  const servers = {
    'node:http': await startServer({ args: ['bench/baseline-server.ts', '42'], logFile: join(dir, 'baseline.log'), ready: /listening on (\S+)/ }),
    minimal: await startServer({ args: ['bench/floor/minimal-http-server.ts', '42'], logFile: join(dir, 'minimal.log'), ready: /listening on (\S+)/ }),
  };
  const totals = Object.fromEntries(Object.keys(servers).map((k) => [k, { requests: 0, seconds: 0, cpuMs: 0 }]));
  const roundSeconds = Math.max(1, Math.round(seconds / ROUNDS));
  for (const s of Object.values(servers)) await runLoad({ url: s.url, apiKey: 'x', plan, offset: 0, connections: 50, duration: Math.min(2, roundSeconds) });
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, s] of Object.entries(servers)) {
      const before = procCpuMs(s.pid);
      const result: LoadResult = await runLoad({ url: s.url, apiKey: 'x', plan, offset: r * 1e8, connections: 50, duration: roundSeconds });
      if (result.failed || result.errors) throw new Error(`${name}: ${result.failed} failed, ${result.errors} errors`);
      totals[name]!.cpuMs += procCpuMs(s.pid) - before;
      totals[name]!.requests += result.requests;
      totals[name]!.seconds += result.seconds;
    }
  }
  for (const [name, t] of Object.entries(totals)) {
    console.log(`${name.padEnd(10)} ${Math.round(t.requests / t.seconds)} req/s, CPU ${((t.cpuMs * 1000) / t.requests).toFixed(1)} µs per request`);
  }
  await Promise.all(Object.values(servers).map((s) => s.stop()));
} finally {
  stopLoad();
  killAll();
  rmSync(dir, { recursive: true, force: true });
}
