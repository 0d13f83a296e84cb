/**
 * What the hub allocates on its heap per request, and where: a hub in this process (SQLite, the
 * default logger), loaded over loopback HTTP from a worker thread, whose heap is its own, so only
 * the hub's allocations are counted. V8's sampling heap profiler, told to keep what the collector
 * frees, estimates every byte allocated while the measured requests run; the top allocating
 * functions follow. The collector's cost grows with these bytes (bench/README.md, "Where each
 * target stands").
 * Usage: `node --import tsx bench/floor/alloc.ts <status|verify|station> [requests=3000] [data=100000]`
 * (data: connectors for status, whitelisted UIDs for verify). The figures go to stderr, the hub's log
 * to stdout: add `> /dev/null`.
 */
import { rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startHub } from '../../src/hub/app.js';
import { openStorage } from '../../src/storage/index.js';
import { bodyMaker, type BodyPlan } from '../bodies.js';
import { benchPartner, bulkLoadStations, whitelistingEmps } from '../seed.js';
import { scratchDir } from '../scratch.js';

type Kind = 'status' | 'verify' | 'station';
const kind = process.argv[2] as Kind;
if (!['status', 'verify', 'station'].includes(kind)) throw new Error('usage: alloc.ts <status|verify|station> [requests] [data]');
const requests = Number(process.argv[3] ?? 3000);
const data = Number(process.argv[4] ?? 100_000);
const WARM_UP = Math.min(4000, requests);
const CONNECTIONS = 20;

/** The load: keep-alive POSTs of bodies[from, to) on CONNECTIONS sockets; fails on any answer but code 0. */
const LOADER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: workerData.connections });
const post = (body) => new Promise((resolve, reject) => {
  const req = http.request(workerData.url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'key=' + workerData.key, 'content-length': Buffer.byteLength(body) } }, (res) => {
    let text = '';
    res.on('data', (d) => (text += d));
    res.on('end', () => (text.includes('"code":0') ? resolve() : reject(new Error(text))));
  });
  req.on('error', reject);
  req.end(body);
});
let bodies = [];
parentPort.on('message', async (m) => {
  if (m.bodies) return void ((bodies = m.bodies), parentPort.postMessage({ ok: true }));
  let next = 0;
  try {
    await Promise.all(Array.from({ length: workerData.connections }, async () => { while (next < bodies.length) await post(bodies[next++]); }));
    parentPort.postMessage({ ok: true });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error) });
  }
});
`;

/** A sampled allocation profile's node (Chrome DevTools protocol). */
interface ProfileNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: ProfileNode[] }

/** Bytes allocated per function (name and file), summed over the profile's tree. */
function bytesByFunction(head: ProfileNode): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const where = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(src|bench|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    if (n.selfSize) out.set(where, (out.get(where) ?? 0) + n.selfSize);
    for (const c of n.children) walk(c);
  };
  walk(head);
  return out;
}

const dir = scratchDir('oioi-floor-alloc-');
try {
  const storage = await openStorage(`sqlite:${join(dir, 'hub.db')}`, { server: true });
  const cpo = await benchPartner(storage, 'Alloc CPO', ['cpo']);
  let plan: BodyPlan;
  if (kind === 'status') {
    await bulkLoadStations(storage, [{ cpo, plan: { operator: 'ALC', run: 'a1', seed: 11 } }], Math.max(1, data / 2));
    plan = { kind: 'status', partnerIdentifier: cpo.partnerIdentifier, operator: 'ALC', connectors: data, seed: 12 };
  } else if (kind === 'verify') {
    await whitelistingEmps(storage, 'Alloc EMP', data);
    plan = { kind: 'verify', uids: data, seed: 21 };
  } else {
    plan = { kind: 'station', partnerIdentifier: cpo.partnerIdentifier, operator: 'ALS', run: 'a1', seed: 41 };
  }
  // The default logger, writing to stdout, as `oioi hub` does (run with stdout to /dev/null to keep it quiet).
  const hub = await startHub({ db: storage, port: 0 });
  const body = bodyMaker(plan);
  const worker = new Worker(LOADER, { eval: true, workerData: { url: hub.url, key: cpo.apiKey, connections: CONNECTIONS } });
  const ask = (message: unknown) =>
    new Promise<void>((resolve, reject) => {
      worker.once('message', (m: { ok: boolean; error?: string }) => (m.ok ? resolve() : reject(new Error(m.error))));
      worker.postMessage(message);
    });
  // The bodies are made and handed to the worker before a run starts: only the hub allocates during one.
  const handOver = (from: number, count: number) => ask({ bodies: Array.from({ length: count }, (_, i) => body(from + i)) });
  try {
    await handOver(0, WARM_UP);
    await ask('go'); // the warm-up: compiled code, statement caches, pages
    await handOver(WARM_UP, requests);
    const session = new Session();
    session.connect();
    // Kept what minor and major collections free: the profile then counts every allocation, not only the survivors.
    await session.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as never);
    await ask('go');
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: ProfileNode } };
    session.disconnect();
    const by = bytesByFunction(profile.head);
    const total = [...by.values()].reduce((a, b) => a + b, 0);
    process.stderr.write(`${kind} ${requests} requests: ${(total / requests / 1024).toFixed(1)} KB of heap allocated per request\n`);
    for (const [where, bytes] of [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
      process.stderr.write(`${String(Math.round(bytes / requests)).padStart(7)} B ${((100 * bytes) / total).toFixed(1).padStart(5)}%  ${where}\n`);
    }
  } finally {
    await worker.terminate();
    await hub.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
