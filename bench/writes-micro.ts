/**
 * In-process CPU per call of the write paths of issue 7, without HTTP: the hub's own code
 * (verifyRfid, postCdr with the outbox worker delivering to a local sink, postStation,
 * postConnectorStatus on 100k connectors) on a fresh SQLite file, called in batches of 50 (or
 * `--batch N`) in one event-loop turn, so one commit and one fsync per batch, as the hub takes them.
 *
 *   node --import tsx bench/writes-micro.ts [verify,cdr,station,status] [--calls 20000] [--batch 50] [--temp-store-memory] [--no-surface-index]
 *
 * Prints per call the main thread's CPU time (/proc: the JavaScript and SQLite work of a hub),
 * its event-loop busy time (wall time, inflated when other work takes the core) and the process
 * CPU (`process.cpuUsage`: also the fsync thread and its kernel time). Each figure is the best of
 * three runs of `--calls` calls.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStorage, type Storage } from '../src/storage/index.js';
import { parseRequest } from '../src/protocol/index.js';
import { defaultHubConfig, type HubContext } from '../src/hub/context.js';
import { startAuthenticator } from '../src/hub/partners/authenticator.js';
import { HubEvents } from '../src/hub/events.js';
import { createLogger } from '../src/transport/server/index.js';
import { verifyRfid } from '../src/hub/authorization/verify.js';
import { ClientPool } from '../src/hub/authorization/online.js';
import { postCdr } from '../src/hub/cdrs/service.js';
import { postStation } from '../src/hub/poi/station-post.js';
import { postConnectorStatus } from '../src/hub/poi/connector-status.js';
import { startOutboxWorker } from '../src/hub/outbox/worker.js';
import { benchPartner, bulkLoadStations, whitelistingEmps } from './seed.js';
import { bodyMaker } from './bodies.js';
import { mainThreadCpuUs } from './thread-cpu.js';
import { scratchDir } from './scratch.js';

const args = process.argv.slice(2);
const which = (args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a)) ?? 'verify,cdr,station').split(',');
const callsArg = args.indexOf('--calls');
const CALLS = callsArg >= 0 ? Number(args[callsArg + 1]) : 20_000;
const batchArg = args.indexOf('--batch');
/** Calls per event-loop turn, so per commit (`--batch N`): the hub gathers about 25 per commit at 50 connections. */
const BATCH = batchArg >= 0 ? Number(args[batchArg + 1]) : 50;
/** `--temp-store-memory`: what PRAGMA temp_store = MEMORY would change (savepoint sub-journals in memory, not in a temp file). */
const TEMP_STORE_MEMORY = args.includes('--temp-store-memory');
const WARM = 2_000;
/** `--no-surface-index`: without station-get-surface's in-memory index, which the hub keeps up on every write. */
const SURFACE_INDEX = !args.includes('--no-surface-index');

/** A logger that formats lines as the hub does (OIOI_LOG=info) but writes them nowhere. */
const log = createLogger({ level: 'info', stream: { write: () => true } });

async function contextOf(storage: Storage): Promise<HubContext & { stop(): void }> {
  const auth = await startAuthenticator(storage);
  return { storage, config: defaultHubConfig, auth, log, now: () => new Date(), events: new HubEvents(), stop: () => auth.stop() };
}

/**
 * Runs `call(i)` for i in [from, to) in batches of BATCH per turn, then `settle`; returns
 * main-thread busy µs and process CPU µs per call (per `per` calls, when given).
 */
async function measure(from: number, to: number, call: (i: number) => Promise<unknown>, settle?: () => Promise<void>, per = to - from): Promise<Figures> {
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuUs();
  for (let i = from; i < to; i += BATCH) {
    const batch: Array<Promise<unknown>> = [];
    for (let k = i; k < Math.min(to, i + BATCH); k++) batch.push(call(k));
    await Promise.all(batch);
  }
  await settle?.();
  const main = mainThreadCpuUs() - main0;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const n = per;
  return { mainUs: main / n, busyUs: (elu.active * 1000) / n, cpuUs: (cpu.user + cpu.system) / n };
}

/** Per call: main-thread CPU (what a hub pinned to one core pays), event-loop busy time, process CPU. */
interface Figures { mainUs: number; busyUs: number; cpuUs: number }

/** Measurements per figure: the machine is shared, so the least disturbed of them is reported. */
const REPEATS = 3;

/** The run with the least main-thread time of REPEATS runs (`run(k)` measures the k-th slice of calls). */
async function best(run: (k: number) => Promise<Figures>): Promise<Figures> {
  const all = [];
  for (let k = 0; k < REPEATS; k++) all.push(await run(k));
  return all.reduce((a, b) => (b.mainUs < a.mainUs ? b : a));
}

function report(name: string, r: Figures): void {
  console.log(`${name.padEnd(8)} ${CALLS} calls: main thread CPU ${r.mainUs.toFixed(1)} µs/call, event loop busy ${r.busyUs.toFixed(1)}, process CPU ${r.cpuUs.toFixed(1)}`);
}

async function withStorage<T>(fn: (storage: Storage, dir: string) => Promise<T>): Promise<T> {
  const dir = scratchDir('oioi-writes-micro-');
  const storage = await openStorage(`sqlite:${join(dir, 'hub.db')}`, { server: true });
  if (TEMP_STORE_MEMORY) (storage as Storage & { sqlite: { db: import('better-sqlite3').Database } }).sqlite.db.pragma('temp_store = MEMORY');
  if (SURFACE_INDEX) await storage.poi.prepareSurface?.(); // as the hub does at start
  try {
    return await fn(storage, dir);
  } finally {
    // Bounded: a close that never settles (seen with the checkpoint worker) must not end the run.
    await Promise.race([storage.close(), new Promise((r) => setTimeout(r, 2000))]);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function verify(): Promise<void> {
  await withStorage(async (storage) => {
    await whitelistingEmps(storage, 'EMP', 100_000);
    const ctx = await contextOf(storage);
    const pool = new ClientPool(ctx.events);
    const body = bodyMaker({ kind: 'verify', uids: 100_000, seed: 21 });
    const call = async (i: number) => {
      const p = parseRequest(JSON.parse(body(i))) as { payload: { rfid: string } };
      const v = await verifyRfid(ctx, pool, p.payload.rfid);
      if (v.code !== 0) throw new Error(`verify ${i}: ${v.code}`);
    };
    await measure(0, WARM, call);
    report('verify', await best((k) => measure(WARM + k * CALLS, WARM + (k + 1) * CALLS, call)));
    ctx.stop();
  });
}

async function cdr(): Promise<void> {
  let received = 0;
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"result":{"code":0,"message":"Success."}}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/api/v4/request`;
  try {
    await withStorage(async (storage) => {
      const cpo = await benchPartner(storage, 'CDR CPO', ['cpo']);
      await benchPartner(storage, 'CDR EMP', ['emp'], { evcoPrefixes: ['DEEXX'], endpoint: { url, apiKey: 'sink-key' } });
      await bulkLoadStations(storage, [{ cpo, plan: { operator: 'CXX', run: 'micro', seed: 31 } }], 2000);
      const ctx = await contextOf(storage);
      const body = bodyMaker({ kind: 'cdr', partnerIdentifier: cpo.partnerIdentifier, operator: 'CXX', connectors: 4000, evcoProvider: 'EXX', run: 'micro', seed: 32 });
      const call = async (i: number) => {
        const p = parseRequest(JSON.parse(body(i))) as unknown as { payload: never };
        await postCdr(ctx, p.payload, cpo.id);
      };
      const drained = (n: number) => async () => {
        while (received < n) await new Promise((r) => setTimeout(r, 1));
      };
      // Warm-up with the worker delivering meanwhile, as in the hub.
      let worker = startOutboxWorker(ctx);
      await measure(0, WARM, call, drained(WARM));
      await worker.stop();
      // session-post alone: the CDR and its outbox row.
      report('cdr', await best((k) => measure(WARM + k * CALLS, WARM + (k + 1) * CALLS, call)));
      // The worker's share: delivering those CDRs to the EMP (the sink runs in this process too:
      // about what a bare node:http server costs per request).
      worker = startOutboxWorker(ctx);
      report('deliver', await measure(0, 0, async () => {}, drained(WARM + REPEATS * CALLS), REPEATS * CALLS));
      await worker.stop();
      ctx.stop();
    });
  } finally {
    sink.closeAllConnections();
    await new Promise<void>((r) => sink.close(() => r()));
  }
}

async function status(): Promise<void> {
  await withStorage(async (storage) => {
    const cpo = await benchPartner(storage, 'Status CPO', ['cpo']);
    await bulkLoadStations(storage, [{ cpo, plan: { operator: 'TXX', run: 'micro', seed: 11 } }], 50_000);
    const ctx = await contextOf(storage);
    const body = bodyMaker({ kind: 'status', partnerIdentifier: cpo.partnerIdentifier, operator: 'TXX', connectors: 100_000, seed: 12 });
    const call = async (i: number) => {
      const p = parseRequest(JSON.parse(body(i))) as unknown as { payload: { 'partner-identifier': string; 'connector-id': string; status: never } };
      const s = p.payload;
      await postConnectorStatus(ctx, s['partner-identifier'], s['connector-id'], s.status);
    };
    await measure(0, WARM, call);
    report('status', await best((k) => measure(WARM + k * CALLS, WARM + (k + 1) * CALLS, call)));
    ctx.stop();
  });
}

async function station(): Promise<void> {
  await withStorage(async (storage) => {
    const cpo = await benchPartner(storage, 'Station CPO', ['cpo']);
    const ctx = await contextOf(storage);
    const body = bodyMaker({ kind: 'station', partnerIdentifier: cpo.partnerIdentifier, operator: 'SXX', run: 'micro', seed: 41 });
    const call = async (i: number) => {
      const p = parseRequest(JSON.parse(body(i))) as unknown as { payload: never };
      await postStation(ctx, cpo.id, p.payload);
    };
    await measure(0, WARM, call);
    report('station', await best((k) => measure(WARM + k * CALLS, WARM + (k + 1) * CALLS, call)));
    ctx.stop();
  });
}

const scenarios: Record<string, () => Promise<void>> = { verify, cdr, station, status };
for (const name of which) {
  const run = scenarios[name];
  if (!run) throw new Error(`unknown scenario ${name} (verify, cdr, station, status)`);
  await run();
}
