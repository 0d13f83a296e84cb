/**
 * One scenario's measurement: the hub under load, then the bare node:http baseline under the same
 * load (same connections, same duration or request count, same cores), in the same run.
 */
import { join } from 'node:path';
import { bodyMaker, type BodyPlan } from './bodies.js';
import type { BenchConfig } from './config.js';
import { runLoad, type LoadResult } from './load.js';
import { procCpuMs, procCpuSplitMs, startServer, type ServerProcess } from './processes.js';
import { mainThreadCpuUs } from './thread-cpu.js';
import { runWrk } from './wrk.js';

/** Where a scenario's files and database live. */
export interface ScenarioEnv {
  config: BenchConfig;
  /** The storage URL of this scenario's hub. */
  dbUrl: string;
  /** A folder for logs and SQLite files of this run. */
  dir: string;
  /** A short token unique to this run (station and session ids). */
  run: string;
  log(message: string): void;
}

/** Figures of one scenario, as written to its result file. */
export interface Measured {
  hub: LoadResult;
  baseline: LoadResult;
  /** The hub's req/s over the baseline's, both as measured. */
  ratio: number;
  /**
   * The hub's req/s over what the baseline could answer with its core to itself (1e6 / its CPU µs
   * per request). Lower than `ratio` when the load generator, not the baseline's core, held the
   * baseline's rate: autocannon parses every answer in JavaScript on one core, and with the
   * surface's 24 KB answers it kept the baseline about 40% busy.
   */
  capacityRatio: number;
  /** kB, VmHWM of the hub process at the end of the load. */
  hubPeakRssKb: number;
  /**
   * µs of CPU (every thread, user and system) per request answered in the measured rounds: the
   * cost itself, steadier than req/s when the machine's neighbours take turns on its cores.
   */
  cpuUsPerRequest: { hub: number; baseline: number };
  /**
   * The hub's `cpuUsPerRequest` in parts: its main thread (the event loop: HTTP, the hub's code,
   * SQLite's statements and commits) and its other threads (the WAL's fsyncs on libuv's pool, V8's
   * collector helpers, the checkpointer); and user against system time. The first pair from the
   * main thread's exact schedstat (thread-cpu.ts), `otherThreads` the rest of the process's ticks
   * (never below 0).
   */
  hubCpuSplitUsPerRequest: { mainThread: number; otherThreads: number; user: number; system: number };
  /** ms of CPU the hub used while the baseline was measured: 0, as it is paused then. */
  hubCpuMsDuringBaseline: number;
  rounds: { hub: LoadResult[]; baseline: LoadResult[] };
}

/** Starts `oioi hub` (compiled, as `npm start` runs it: see build.ts) on the scenario's storage, pinned to the server core. */
export function startHubProcess(env: ScenarioEnv, name: string, extraArgs: string[] = []): Promise<ServerProcess> {
  return startServer({
    args: ['bin/oioi.js', 'hub', '--db', env.dbUrl, '--port', '0', ...extraArgs],
    tsx: false,
    nodeArgs: env.config.profile ? ['--cpu-prof', '--cpu-prof-dir', env.config.profile, '--cpu-prof-name', `${name}-hub.cpuprofile`] : [],
    env: { OIOI_LOG: env.config.hubLog, OIOI_VALIDATE_RESPONSES: '0' },
    logFile: join(env.dir, `${name}-hub.log`),
    ready: /listening on (\S+)/,
  });
}

/** Starts the baseline server answering bodies of `answerBytes`. */
function startBaseline(env: ScenarioEnv, name: string, answerBytes: number): Promise<ServerProcess> {
  return startServer({ args: ['bench/baseline-server.ts', String(answerBytes)], logFile: join(env.dir, `${name}-baseline.log`), ready: /listening on (\S+)/ });
}

/** Sums rounds of one server into one result: rates over the total time, median percentiles. */
export function combine(rounds: LoadResult[]): LoadResult {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const requests = rounds.reduce((a, r) => a + r.requests, 0);
  const seconds = rounds.reduce((a, r) => a + r.seconds, 0);
  const firstFailure = rounds.find((r) => r.firstFailure)?.firstFailure;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    failed: rounds.reduce((a, r) => a + r.failed, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    answerBytes: Math.round(rounds.reduce((a, r) => a + r.answerBytes * r.requests, 0) / Math.max(1, requests)),
    ...(firstFailure ? { firstFailure } : {}),
  };
}

/**
 * Warms the hub up, starts the baseline answering as many bytes as the hub does, then loads them
 * in alternating rounds (hub, baseline, hub, …) so that other work on a shared machine weighs on
 * both alike. The hub is paused (SIGSTOP) while the baseline runs: its background work (the
 * outbox worker's deliveries, the map refresh of the statuses just posted, a checkpoint) would
 * otherwise take the pinned core from the baseline and count against it, not against the hub.
 * `after` gets the hub, running again, once the rounds are done.
 * Example: `await measurePair(env, 'status', hub, plan, apiKey, { duration: 15 })`.
 */
export async function measurePair(
  env: ScenarioEnv,
  name: string,
  hub: ServerProcess,
  plan: BodyPlan,
  apiKey: string,
  load: { duration?: number; amount?: number; maxSeconds?: number },
  after?: (hub: ServerProcess) => Promise<void>,
): Promise<Measured> {
  const { connections, warmup, rounds } = env.config;
  const part: { duration?: number; amount?: number; maxSeconds?: number } =
    load.amount !== undefined
      ? { amount: Math.ceil(load.amount / rounds), ...(load.maxSeconds !== undefined ? { maxSeconds: load.maxSeconds / rounds } : {}) }
      : { duration: Math.max(1, Math.round((load.duration ?? 10) / rounds)) };
  const hubRounds: LoadResult[] = [];
  const baseRounds: LoadResult[] = [];
  let baseline: ServerProcess | undefined;
  let hubPeakRssKb: number;
  const cpuMs = { hub: 0, baseline: 0, hubDuringBaseline: 0, hubMain: 0, hubUser: 0, hubSystem: 0 };
  try {
    env.log(`${name}: warming the hub up (${warmup} s)`);
    const warm = await runLoad({ url: hub.url, apiKey, plan, offset: 1e9, connections, duration: warmup });
    if (warm.failed > 0) throw new Error(`${name}: the hub refused warm-up requests: ${warm.firstFailure}`);
    await hub.pause();
    baseline = await startBaseline(env, name, warm.answerBytes);
    // The baseline's load: wrk when installed (see wrk.ts), one body of the plan again and again.
    // wrk runs for `seconds`; autocannon for the load's duration or request count, as the hub's rounds.
    const wrkBody = env.config.baselineLoad === 'wrk' ? bodyMaker(plan)(2e9) : undefined;
    const { url } = baseline;
    const baselineLoad = (offset: number, load: typeof part, seconds = load.duration!) =>
      wrkBody !== undefined
        ? runWrk({ url, apiKey: 'baseline', body: wrkBody, connections, seconds, answerBytes: warm.answerBytes, dir: env.dir })
        : runLoad({ url, apiKey: 'baseline', plan, offset, connections, ...load });
    await baselineLoad(1.5e9, { duration: warmup });
    env.log(`${name}: ${rounds} rounds of ${part.amount !== undefined ? `${part.amount} requests` : `${part.duration} s`} on the hub, then on bare node:http answering ${warm.answerBytes} bytes (load by ${env.config.baselineLoad}), ${connections} connections`);
    for (let r = 0; r < rounds; r++) {
      // Disjoint body ranges per round: CDRs and stations stay new.
      hub.resume();
      const split = procCpuSplitMs(hub.pid);
      const main = mainThreadCpuUs(hub.pid);
      hubRounds.push(await runLoad({ url: hub.url, apiKey, plan, offset: r * 1e8, connections, ...part }));
      const splitAfter = procCpuSplitMs(hub.pid);
      cpuMs.hubMain += (mainThreadCpuUs(hub.pid) - main) / 1000;
      cpuMs.hubUser += splitAfter.user - split.user;
      cpuMs.hubSystem += splitAfter.system - split.system;
      cpuMs.hub += splitAfter.user + splitAfter.system - (split.user + split.system);
      await hub.pause();
      const before = procCpuMs(baseline.pid);
      const hubBefore = procCpuMs(hub.pid);
      // A round of a request count (station) runs wrk for as long as the hub's round took.
      baseRounds.push(await baselineLoad(2e9 + r * 1e8, part, part.duration ?? hubRounds[r]!.seconds));
      cpuMs.baseline += procCpuMs(baseline.pid) - before;
      cpuMs.hubDuringBaseline += procCpuMs(hub.pid) - hubBefore;
    }
    hub.resume();
    hubPeakRssKb = hub.peakRssKb();
    await baseline.stop();
    if (after) await after(hub);
  } finally {
    hub.resume();
    await baseline?.stop();
    await hub.stop();
  }
  const hubResult = combine(hubRounds);
  const baseResult = combine(baseRounds);
  const cpuUsPerRequest = { hub: (cpuMs.hub * 1000) / Math.max(1, hubResult.requests), baseline: (cpuMs.baseline * 1000) / Math.max(1, baseResult.requests) };
  const perHubRequest = (ms: number) => (ms * 1000) / Math.max(1, hubResult.requests);
  const hubCpuSplitUsPerRequest = {
    mainThread: perHubRequest(cpuMs.hubMain),
    otherThreads: perHubRequest(Math.max(0, cpuMs.hub - cpuMs.hubMain)),
    user: perHubRequest(cpuMs.hubUser),
    system: perHubRequest(cpuMs.hubSystem),
  };
  const s = hubCpuSplitUsPerRequest;
  env.log(`${name}: CPU per request ${cpuUsPerRequest.hub.toFixed(0)} µs on the hub (main thread ${s.mainThread.toFixed(0)}, other threads ${s.otherThreads.toFixed(0)}; user ${s.user.toFixed(0)}, system ${s.system.toFixed(0)}), ${cpuUsPerRequest.baseline.toFixed(0)} µs on the baseline`);
  return { hub: hubResult, baseline: baseResult, ratio: hubResult.rps / baseResult.rps, capacityRatio: (hubResult.rps * cpuUsPerRequest.baseline) / 1e6, hubPeakRssKb, cpuUsPerRequest, hubCpuSplitUsPerRequest, hubCpuMsDuringBaseline: cpuMs.hubDuringBaseline, rounds: { hub: hubRounds, baseline: baseRounds } };
}
