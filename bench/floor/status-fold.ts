/**
 * What connector-post-status would cost if statuses were held pending in memory, made durable by
 * an append-only log, and folded into `connectors` in the background, measured against the hub's
 * own path in the same process, on the hub's schema, data and SqliteDatabase:
 *
 * - hub path: `storage.poi.setStatus` (a read, an UPDATE with its triggers, a commit and a WAL
 *   fsync per turn's batch), as connector-post-status calls it;
 * - pending: per post the same read of the EVSE key's owned connectors (which no design can skip:
 *   the owner check and "unchanged" need the row), the pending map, a log line; per batch one
 *   write and one fdatasync of the lines; every `--fold-ms` a fold of the pending statuses in id
 *   order, `UPDATE … WHERE id = ?` in one plain transaction (the schema's triggers fire as in the
 *   hub), and the usage rows of Occupied transitions. The last fold is inside the measurement.
 *
 * Then one fold of the same size run inside a SAVEPOINT within a write of the queue (as the write
 * queue ran every write until 2026-12-08, and still runs a batch again after one of its writes
 * threw): each statement with triggers keeps a statement journal there, and has cost many times
 * what it does in a plain transaction (a fold, or any write of many statements, must not run in one).
 * Nothing of the hub uses this. Main-thread CPU and process CPU (every thread) per post.
 * Usage: `node --import tsx bench/floor/status-fold.ts [--stations 50000] [--posts 60000] [--batch 25] [--fold-ms 200]`.
 */
import { closeSync, fdatasync, openSync, rmSync, write } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStorage } from '../../src/storage/sqlite/index.js';
import { evseKey } from '../../src/protocol/identifiers/evse-id.js';
import type { ConnectorStatusValue } from '../../src/storage/poi.js';
import { evseIdOf } from '../bodies.js';
import { pickAt } from '../random.js';
import { benchPartner, bulkLoadStations } from '../seed.js';
import { mainThreadCpuUs } from '../thread-cpu.js';
import { scratchDir } from '../scratch.js';

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const STATIONS = flag('stations', 50_000);
const POSTS = flag('posts', 60_000);
const BATCH = flag('batch', 25);
const FOLD_MS = flag('fold-ms', 200);
/** The status bench's mix (bench/bodies.ts): half Available, 40% Occupied, a tenth Offline. */
const MIX: ConnectorStatusValue[] = ['Available', 'Available', 'Available', 'Available', 'Available', 'Occupied', 'Occupied', 'Occupied', 'Occupied', 'Offline'];

const dir = scratchDir('oioi-floor-fold-');
const storage = await openSqliteStorage(`sqlite:${join(dir, 'hub.db')}`, { checkpointInWorker: true });
const sqlite = storage.sqlite;
const db = sqlite.db;
const cpo = await benchPartner(storage, 'Fold CPO', ['cpo']);
await bulkLoadStations(storage, [{ cpo, plan: { operator: 'TXX', run: 'fold', seed: 11 } }], STATIONS);
await storage.poi.prepareSurface?.(); // the live index's temp triggers, as in the hub
const connectors = STATIONS * 2;
const post = (i: number) => ({ key: evseKey(evseIdOf('TXX', pickAt(i, 12, connectors))), status: MIX[pickAt(i, 13, MIX.length)]! });

interface Row { id: number; stationId: number; status: string; at: number | null }
const owned = 'EXISTS (SELECT 1 FROM stations s WHERE s.id = connectors.station_id AND s.partner_identifier = ? AND s.deleted = 0)';
const rowsOf = db.prepare(`SELECT id, station_id AS stationId, status, status_changed_at AS at FROM connectors WHERE evse_key = ? AND ${owned}`);
const setById = db.prepare('UPDATE connectors SET status = ?, status_changed_at = ? WHERE id = ?');
const addUsage = db.prepare('INSERT INTO station_usage (station_id, at) VALUES (?, ?)');

/** Statuses posted and logged but not yet in `connectors`, by connector id; usage rows waiting. */
let pending = new Map<number, { status: string; at: number | null }>();
let usage: Array<[number, number]> = [];
const log = openSync(join(dir, 'status.log'), 'a');
let lines = '';
let waiting: Array<() => void> = [];
let syncing = false;
let readUs = 0;

/** One write and one fdatasync for every line queued while the previous one ran. */
function syncLog(): void {
  if (syncing || waiting.length === 0) return;
  syncing = true;
  const done = waiting;
  const bytes = Buffer.from(lines);
  waiting = [];
  lines = '';
  write(log, bytes, 0, bytes.length, null, (error) => {
    if (error) throw error;
    fdatasync(log, (syncError) => {
      if (syncError) throw syncError;
      syncing = false;
      for (const d of done) d();
      syncLog();
    });
  });
}

/** A post of the pending design: resolves with the connectors matched once its line is on disk. */
function postPending(key: string, status: string, at: number): Promise<number> {
  return sqlite.read(() => {
    const t = performance.now();
    const rows = rowsOf.all(key, cpo.partnerIdentifier) as Row[];
    readUs += (performance.now() - t) * 1000;
    let changed = false;
    let occupied = -1;
    for (const r of rows) {
      const now = pending.get(r.id) ?? r;
      if (now.status === status && now.at !== null) continue;
      if (status === 'Occupied' && now.status !== 'Occupied') occupied = r.stationId;
      pending.set(r.id, { status, at: now.status !== status || now.at === null ? at : now.at });
      lines += `${r.id},${status},${at}\n`;
      changed = true;
    }
    if (occupied >= 0) usage.push([occupied, at]);
    if (!changed) return rows.length;
    return new Promise<number>((resolve) => {
      waiting.push(() => resolve(rows.length));
      if (waiting.length === 1) setImmediate(syncLog);
    });
  }).then((n) => n);
}

/** Writes the pending statuses into `connectors` in id order; returns the rows folded. */
function fold(): number {
  const folded = pending;
  const used = usage;
  pending = new Map();
  usage = [];
  for (const id of [...folded.keys()].sort((a, b) => a - b)) {
    const v = folded.get(id)!;
    setById.run(v.status, v.at, id);
  }
  for (const [stationId, at] of used) addUsage.run(stationId, at);
  return folded.size;
}

/** Folds in a plain transaction of its own, as a background fold would. */
function foldPlain(): number {
  db.exec('BEGIN IMMEDIATE');
  try {
    const n = fold();
    db.exec('COMMIT');
    return n;
  } catch (error) {
    db.exec('ROLLBACK');
    throw error;
  }
}

async function measure(from: number, to: number, one: (key: string, status: string, at: number) => Promise<number>, settle?: () => void) {
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuUs();
  for (let i = from; i < to; i += BATCH) {
    const batch: Array<Promise<number>> = [];
    for (let k = i; k < Math.min(to, i + BATCH); k++) {
      const p = post(k);
      batch.push(one(p.key, p.status, Date.now()));
    }
    await Promise.all(batch);
  }
  settle?.();
  const cpu = process.cpuUsage(cpu0);
  const n = to - from;
  return { main: (mainThreadCpuUs() - main0) / n, cpu: (cpu.user + cpu.system) / n };
}

const hubPath = (key: string, status: string, at: number) => storage.poi.setStatus(cpo.partnerIdentifier, key, status as ConnectorStatusValue, at);
const fmt = (r: { main: number; cpu: number }) => `main thread CPU ${r.main.toFixed(1)} µs per post, process CPU ${r.cpu.toFixed(1)}`;

await measure(0, 2_000, hubPath); // warm-up
const hub = await measure(2_000, 2_000 + POSTS, hubPath);
console.log(`hub path          ${POSTS} posts: ${fmt(hub)}`);

let folds = 0;
let foldedRows = 0;
let foldUs = 0;
const timedFold = () => {
  const t = performance.now();
  foldedRows += foldPlain();
  foldUs += (performance.now() - t) * 1000;
  folds++;
};
const timer = setInterval(timedFold, FOLD_MS);
readUs = 0;
const from = 2_000 + POSTS;
const pend = await measure(from, from + POSTS, postPending, timedFold);
clearInterval(timer);
console.log(`pending, fold ${FOLD_MS} ms ${POSTS} posts: ${fmt(pend)}; the read ${(readUs / POSTS).toFixed(1)} µs a post, ${folds} folds of ${Math.round(foldedRows / folds)} rows at ${(foldUs / foldedRows).toFixed(1)} µs a row`);

// One fold of the same size, in a plain transaction, then inside a savepoint of a queued write.
const size = Math.max(1, Math.round(foldedRows / folds));
const perRow = async (inSavepoint: boolean, k: number) => {
  for (let i = 0; pending.size < size; i++) {
    const p = post(10 * POSTS + k * size * 2 + i);
    for (const r of rowsOf.all(p.key, cpo.partnerIdentifier) as Row[]) pending.set(r.id, { status: r.status === 'Offline' ? 'Available' : 'Offline', at: Date.now() });
  }
  let ms = 0;
  const timed = (run: () => unknown) => () => {
    const t = performance.now();
    run();
    ms = performance.now() - t;
  };
  // The plain one includes its COMMIT (no fsync: synchronous=NORMAL); the other's COMMIT comes after.
  const inOne = () => {
    db.exec('SAVEPOINT fold');
    fold();
    db.exec('RELEASE fold');
  };
  if (inSavepoint) await sqlite.write(timed(inOne));
  else timed(foldPlain)();
  return (ms * 1000) / size;
};
const plain = await perRow(false, 0);
const saved = await perRow(true, 1);
console.log(`one fold of ${size} rows: ${plain.toFixed(1)} µs a row in a plain transaction, ${saved.toFixed(1)} inside a savepoint of a queued write`);

closeSync(log);
await storage.close();
rmSync(dir, { recursive: true, force: true });
