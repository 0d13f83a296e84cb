/**
 * What a savepoint around each write of a batch costs SQLite, with the hub's pragmas (WAL,
 * synchronous NORMAL, temp_store MEMORY) and no fsync: inside a savepoint every page a write
 * changes is first copied into the statement journal, so that ROLLBACK TO can restore it. Two
 * writes like the hub's, 25 to a transaction, rounds with and without a savepoint alternated:
 * - status: one UPDATE of a random row among 100,000 (connector-post-status);
 * - station: a row with a random unique key and two rows with a random indexed key (a station
 *   and its two connectors, station-post).
 * The write queue ran every write in its own savepoint until 2026-12-08; it now runs a batch
 * without them, and again with them only after one of its writes threw (sqlite/database.ts).
 * Usage: `node --import tsx bench/floor/savepoints.ts [batches a round, default 200] [rounds, default 12]`.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { scratchDir } from '../scratch.js';

const batches = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 12);
const BATCH = 25;
const ROWS = 100_000;

const db = new Database(join(scratchDir('oioi-floor-savepoints-'), 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('cache_size = -65536');
db.pragma('temp_store = MEMORY');
db.exec(`CREATE TABLE connectors (id INTEGER PRIMARY KEY AUTOINCREMENT, station_id INTEGER, position INTEGER, evse_id TEXT, evse_key TEXT, status TEXT, status_changed_at INTEGER);
  CREATE INDEX connectors_evse ON connectors (evse_key);
  CREATE INDEX connectors_station ON connectors (station_id, position);
  CREATE TABLE stations (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT, cpo_station_id TEXT, data TEXT, UNIQUE (owner, cpo_station_id));`);
const addConnector = db.prepare('INSERT INTO connectors (station_id, position, evse_id, evse_key, status) VALUES (?, ?, ?, ?, ?)');
db.transaction(() => {
  for (let i = 0; i < ROWS; i++) addConnector.run(i >> 1, i & 1, `DE*FLR*E${i}`, `DEFLRE${(i * 7919) % ROWS}`, 'Unknown');
})();
const setStatus = db.prepare('UPDATE connectors SET status = ?, status_changed_at = ? WHERE id = ?');
const addStation = db.prepare('INSERT INTO stations (owner, cpo_station_id, data) VALUES (?, ?, ?)');
const [begin, commit, savepoint, release] = ['BEGIN IMMEDIATE', 'COMMIT', 'SAVEPOINT w', 'RELEASE w'].map((sql) => db.prepare(sql));
const DATA = 'x'.repeat(300);

let n = 0;
const writes = {
  status: () => {
    n++;
    setStatus.run(n & 1 ? 'Available' : 'Occupied', n, 1 + ((n * 48_271) % ROWS));
  },
  station: () => {
    n++;
    const id = Number(addStation.run('DE*FLR', `st-${(n * 48_271) % 1_000_003}-${n}`, DATA).lastInsertRowid);
    for (const p of [0, 1]) addConnector.run(id, p, `DE*FLR*S${n}-${p}`, `K${(n * 7_919 + p) % 1_000_003}-${n}`, 'Unknown');
  },
};

/** CPU µs per write of `rounds` rounds of `batches` transactions, with or without a savepoint per write. */
function round(write: () => void, withSavepoints: boolean): number {
  const cpu0 = process.cpuUsage();
  for (let b = 0; b < batches; b++) {
    begin!.run();
    for (let i = 0; i < BATCH; i++) {
      if (withSavepoints) savepoint!.run();
      write();
      if (withSavepoints) release!.run();
    }
    commit!.run();
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / (batches * BATCH);
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
for (const [name, write] of Object.entries(writes)) {
  round(write, false); // warm-up
  const none: number[] = [];
  const each: number[] = [];
  // Alternated, so that a disturbed minute weighs on both.
  for (let r = 0; r < rounds; r++) {
    for (const withSavepoints of r % 2 ? [true, false] : [false, true]) (withSavepoints ? each : none).push(round(write, withSavepoints));
  }
  const [a, b] = [median(none), median(each)];
  console.log(`${name.padEnd(7)} ${BATCH} writes a commit: CPU ${a.toFixed(1)} µs a write without savepoints, ${b.toFixed(1)} with one each (${b >= a ? '+' : ''}${(b - a).toFixed(1)})`);
}
db.close();
