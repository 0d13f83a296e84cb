/**
 * How fast the dashboard's map answers on a million stations (issue 9): seeds a temporary SQLite
 * file with bulk SQL (the bench's European station layout, 2 connectors each, statuses mixed), then times `GET /dashboard/api/map`'s work (mapView) for
 * random city, country and Europe boxes at several zooms.
 *   node --import tsx bench/dashboard-map.ts [stations=1000000] [file]
 * A file that already holds the stations is reused (no seeding); without one, a temporary file is
 * seeded and removed at the end.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStorage } from '../src/storage/sqlite/index.js';
import { mapView } from '../src/hub/dashboard/map.js';
import { benchPartner } from './seed.js';
import { cities, positionAt } from './geo.js';
import { scratchDir } from './scratch.js';

const count = Number(process.argv[2] ?? 1_000_000);
// Without a file, a temporary one (about a gigabyte at a million stations), removed at the end.
const made = process.argv[3] === undefined ? scratchDir('oioi-dash-bench-') : undefined;
const file = process.argv[3] ?? join(made!, 'map.db');
const reuse = existsSync(file);
const storage = await openSqliteStorage(`sqlite:${file}`);
if (!reuse) {
  // Bulk SQL in one transaction, as save-station.ts would write the rows (stations, connectors); the 700 migration's triggers build the map aggregates row by row as in production.
  const t0 = performance.now();
  const cpo = await benchPartner(storage, 'Bench CPO', ['cpo']);
  const statuses = ['Available', 'Occupied', 'Offline', 'Reserved', 'Unknown', 'Unknown'];
  await storage.sqlite.write((db) => {
    const station = db.prepare(`INSERT INTO stations (id, partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, data, static_changed_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, '{}', 0, 0)`);
    const connector = db.prepare(`INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed, status) VALUES (?, ?, ?, ?, 'Type2', 22, ?)`);
    for (let i = 1; i <= count; i++) {
      const { lat, lon } = positionAt(i, 11);
      station.run(i, cpo.id, cpo.partnerIdentifier, `S${i}`, `Station ${i}`, lat, lon);
      for (let k = 0; k < 2; k++) connector.run(i, k, `DE*BEN*E${i}X${k}`, `DEBENE${i}X${k}`, statuses[(i * 7 + k * 3) % statuses.length]);
      if (i % 100_000 === 0) process.stderr.write(`seeded ${i} stations (${Math.round((performance.now() - t0) / 1000)} s)\n`);
    }
  });
  process.stderr.write(`seeded ${count} stations in ${Math.round((performance.now() - t0) / 1000)} s into ${file}\n`);
}

let seed = 1;
const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

/** A box of `w` x `h` degrees around a random city. */
function around(w: number, h: number) {
  const c = cities[Math.floor(random() * cities.length)]!;
  const lat = c.lat + (random() - 0.5) * h * 0.2;
  const lon = c.lon + (random() - 0.5) * w * 0.2;
  return { minLat: lat - h / 2, maxLat: lat + h / 2, minLon: lon - w / 2, maxLon: lon + w / 2 };
}

const cases: Array<{ name: string; zoom: number; box: () => ReturnType<typeof around> }> = [
  { name: 'Europe', zoom: 4, box: () => ({ minLat: 34, maxLat: 66, minLon: -12, maxLon: 35 }) },
  { name: 'Europe', zoom: 5, box: () => ({ minLat: 34, maxLat: 66, minLon: -12, maxLon: 35 }) },
  { name: 'country', zoom: 6, box: () => around(10, 7) },
  { name: 'country', zoom: 7, box: () => around(8, 5) },
  { name: 'region', zoom: 9, box: () => around(2.5, 1.5) },
  { name: 'city', zoom: 11, box: () => around(0.6, 0.35) },
  { name: 'city', zoom: 12, box: () => around(0.3, 0.18) },
  { name: 'district', zoom: 14, box: () => around(0.08, 0.05) },
  { name: 'street', zoom: 16, box: () => around(0.02, 0.012) },
];

const runs = 40;
console.log(`stations: ${(await storage.dashboard.totals()).stations}`);
console.log('case      zoom   p50 ms   p95 ms   max ms   clusters  stations');
for (const c of cases) {
  const times: number[] = [];
  let clusters = 0;
  let stations = 0;
  for (let i = 0; i < runs; i++) {
    const box = c.box();
    const t = performance.now();
    const r = await mapView(storage, { box, zoom: c.zoom });
    times.push(performance.now() - t);
    clusters += r.clusters.length;
    stations += r.stations.length;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(2);
  console.log(`${c.name.padEnd(9)} ${String(c.zoom).padStart(4)} ${at(0.5).padStart(8)} ${at(0.95).padStart(8)} ${times.at(-1)!.toFixed(2).padStart(8)} ${String(Math.round(clusters / runs)).padStart(10)} ${String(Math.round(stations / runs)).padStart(9)}`);
}
await storage.close();
if (made) rmSync(made, { recursive: true, force: true });
