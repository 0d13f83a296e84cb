/**
 * Grid clustering of the dashboard map on SQLite, checked against a plain reference: random
 * stations and statuses, random boxes and zooms, every answer equal to what counting station by
 * station gives. Aggregate levels count whole cells that touch the box; finer zooms count the
 * stations inside the box exactly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openSqliteStorage } from './index.js';
import type { Storage } from '../index.js';
import { cellSize, gridSource, type MapBox, type MapCluster } from '../dashboard.js';
import type { ConnectorStatusValue } from '../poi.js';
import { gridZoom } from '../../hub/dashboard/map.js';

const STATUSES: ConnectorStatusValue[] = ['Available', 'Occupied', 'Reserved', 'Offline', 'Unknown'];
const OWNER = 'dashboard-test-owner-0001';

/** The summary station-get-surface gives, Unknown for its null. */
function summary(statuses: ConnectorStatusValue[]): ConnectorStatusValue {
  if (statuses.includes('Available')) return 'Available';
  if (statuses.includes('Occupied') || statuses.includes('Reserved')) return 'Occupied';
  return statuses.length && statuses.every((s) => s === 'Offline') ? 'Offline' : 'Unknown';
}

interface Point { lat: number; lon: number; summary: ConnectorStatusValue; live: boolean }

/** Reference clusters: whole cells touching the box (aggregate levels) or stations inside it. */
function reference(points: Point[], box: MapBox, zoom: number): Map<string, { count: number; statuses: Record<string, number> }> {
  const size = cellSize(zoom);
  const aggregated = gridSource(zoom).level !== null;
  const cx = (lon: number) => Math.floor((lon + 180) / size);
  const cy = (lat: number) => Math.floor((lat + 90) / size);
  const out = new Map<string, { count: number; statuses: Record<string, number> }>();
  for (const p of points) {
    if (!p.live) continue;
    const inside = aggregated
      ? cx(p.lon) >= cx(box.minLon) && cx(p.lon) <= cx(box.maxLon) && cy(p.lat) >= cy(box.minLat) && cy(p.lat) <= cy(box.maxLat)
      : p.lat >= box.minLat && p.lat <= box.maxLat && p.lon >= box.minLon && p.lon <= box.maxLon;
    if (!inside) continue;
    const key = `${cx(p.lon)}:${cy(p.lat)}`;
    let c = out.get(key);
    if (!c) out.set(key, (c = { count: 0, statuses: Object.fromEntries(STATUSES.map((s) => [s, 0])) }));
    c.count++;
    c.statuses[p.summary]!++;
  }
  return out;
}

function keyed(clusters: MapCluster[], zoom: number): Map<string, { count: number; statuses: Record<string, number> }> {
  const size = cellSize(zoom);
  // A cluster's centroid lies in its cell, so the cell is recovered from it.
  return new Map(clusters.map((c) => [`${Math.floor((c.lon + 180) / size)}:${Math.floor((c.lat + 90) / size)}`, { count: c.count, statuses: c.statuses }]));
}

describe('dashboard map clustering (SQLite)', () => {
  let storage: Storage;
  const points: Point[] = [];

  before(async () => {
    storage = await openSqliteStorage('sqlite::memory:');
    const p = await storage.partners.add({ name: 'CPO', roles: ['cpo'], partnerIdentifiers: [OWNER], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
    const rnd = fc.sample(
      fc.record({
        lat: fc.double({ min: 40, max: 60, noNaN: true }),
        lon: fc.double({ min: -5, max: 25, noNaN: true }),
        statuses: fc.array(fc.constantFrom(...STATUSES), { minLength: 1, maxLength: 3 }),
        isPrivate: fc.boolean(),
        deleted: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      { numRuns: 600, seed: 42 },
    );
    for (const [i, s] of rnd.entries()) {
      const evse = s.statuses.map((_, k) => ({ evseId: `DE*ABC*E${i}X${k}`, evseKey: `DEABCE${i}X${k}`, type: 'Type2', speed: 22 }));
      const base = { ownerPartnerId: p.id, ownerIdentifier: OWNER, cpoStationId: `S${i}`, name: `S${i}`, latitude: s.lat, longitude: s.lon, isPrivate: s.isPrivate, isFreeCharge: false, data: {}, connectors: evse, at: 1 };
      await storage.poi.saveStation({ ...base, deleted: false });
      for (const [k, st] of s.statuses.entries()) await storage.poi.setStatus(OWNER, `DEABCE${i}X${k}`, st, 2);
      const live = s.deleted > 0.1;
      if (!live) await storage.poi.saveStation({ ...base, deleted: true, at: 3 });
      points.push({ lat: s.lat, lon: s.lon, summary: summary(s.statuses), live });
    }
    // A station that moves and one that comes back after a delete: the aggregates follow.
    await storage.poi.saveStation({ ownerPartnerId: p.id, ownerIdentifier: OWNER, cpoStationId: 'S0', name: 'S0', latitude: 45, longitude: 10, isPrivate: false, isFreeCharge: false, deleted: false, data: {}, connectors: [{ evseId: 'DE*ABC*E0X0', evseKey: 'DEABCE0X0', type: 'Type2', speed: 22 }, ...rnd[0]!.statuses.slice(1).map((_, k) => ({ evseId: `DE*ABC*E0X${k + 1}`, evseKey: `DEABCE0X${k + 1}`, type: 'Type2', speed: 22 }))], at: 4 });
    points[0] = { ...points[0]!, lat: 45, lon: 10, live: true };
  });
  after(() => storage.close());

  it('should choose stored levels for zooms up to 13 and the stations themselves above', () => {
    assert.deepEqual(gridSource(0), { level: 6, shift: 6 });
    assert.deepEqual(gridSource(6), { level: 6, shift: 0 });
    assert.deepEqual(gridSource(7), { level: 10, shift: 3 });
    assert.deepEqual(gridSource(10), { level: 10, shift: 0 });
    assert.deepEqual(gridSource(11), { level: 13, shift: 2 });
    assert.deepEqual(gridSource(13), { level: 13, shift: 0 });
    assert.deepEqual(gridSource(14), { level: null, shift: 0 });
    assert.equal(cellSize(0), 90);
  });

  it('should coarsen the grid of a box far larger than its zoom', () => {
    const world = { minLat: -90, maxLat: 90, minLon: -180, maxLon: 180 };
    assert.equal(gridZoom(world, 20), 4);
    assert.equal(gridZoom(world, 2), 2);
    assert.equal(gridZoom({ minLat: 52, maxLat: 53, minLon: 13, maxLon: 14 }, 12), 12);
  });

  it('should count every live station once, by summary, in the cells of the box at every zoom', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.double({ min: 38, max: 62, noNaN: true }),
        fc.double({ min: -7, max: 27, noNaN: true }),
        fc.double({ min: 0.01, max: 25, noNaN: true }),
        fc.integer({ min: 0, max: 16 }),
        async (lat, lon, span, zoom) => {
          const box = { minLat: lat, maxLat: Math.min(90, lat + span), minLon: lon, maxLon: Math.min(180, lon + span * 1.5) };
          const got = keyed(await storage.dashboard.clusters(box, zoom), zoom);
          assert.deepEqual(got, reference(points, box, zoom), JSON.stringify({ box, zoom }));
        },
      ),
      { numRuns: 150, seed: 7 },
    );
  });

  it('should count and list the live stations of a box, private ones included', async () => {
    const box = { minLat: 45, maxLat: 55, minLon: 0, maxLon: 20 };
    const inside = points.filter((p) => p.live && p.lat >= box.minLat && p.lat <= box.maxLat && p.lon >= box.minLon && p.lon <= box.maxLon);
    assert.equal(await storage.dashboard.countStations(box, 10_000), inside.length);
    assert.equal(await storage.dashboard.countStations(box, 5), 5);
    const listed = await storage.dashboard.stations(box, 10_000);
    assert.equal(listed.length, inside.length);
    assert.deepEqual(listed.map((s) => s.summary).sort(), inside.map((p) => p.summary).sort());
    const totals = await storage.dashboard.totals();
    assert.equal(totals.stations, points.filter((p) => p.live).length);
  });
});

describe('dashboard map boxes on surface_stations (SQLite, migration 860)', () => {
  let storage: Storage;
  const box = { minLat: 48.123456, maxLat: 48.2, minLon: 11.5, maxLon: 11.654321 };

  before(async () => {
    storage = await openSqliteStorage('sqlite::memory:');
    const p = await storage.partners.add({ name: 'CPO', roles: ['cpo'], partnerIdentifiers: [OWNER], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
    // On every edge and corner (inside), a hair outside each edge, one private, one deleted.
    const at: Array<[number, number, { isPrivate?: boolean; deleted?: boolean }?]> = [
      [box.minLat, box.minLon], [box.maxLat, box.maxLon], [box.minLat, box.maxLon], [box.maxLat, box.minLon], [48.15, 11.6, { isPrivate: true }],
      [box.minLat - 1e-9, 11.6], [box.maxLat + 1e-9, 11.6], [48.15, box.minLon - 1e-9], [48.15, box.maxLon + 1e-9], [48.16, 11.6, { deleted: true }],
    ];
    for (const [i, [lat, lon, o]] of at.entries()) {
      const base = { ownerPartnerId: p.id, ownerIdentifier: OWNER, cpoStationId: `E${i}`, name: `Edge ${i}`, latitude: lat, longitude: lon, isPrivate: o?.isPrivate ?? false, isFreeCharge: false, data: {}, connectors: [{ evseId: `DE*ABC*E${i}`, evseKey: `DEABCE${i}`, type: 'Type2', speed: 22 }], at: 1 };
      await storage.poi.saveStation({ ...base, deleted: false });
      if (o?.deleted) await storage.poi.saveStation({ ...base, deleted: true, at: 2 });
    }
    await storage.poi.setStatus(OWNER, 'DEABCE1', 'Available', 3);
  });
  after(() => storage.close());

  it('should take stations on the edges and leave those a hair outside, private ones in, deleted ones out', async () => {
    assert.equal(await storage.dashboard.countStations(box, 100), 5);
    const listed = await storage.dashboard.stations(box, 100);
    assert.deepEqual(listed.map((s) => [s.name, s.summary]), [['Edge 0', 'Unknown'], ['Edge 1', 'Available'], ['Edge 2', 'Unknown'], ['Edge 3', 'Unknown'], ['Edge 4', 'Unknown']]);
    assert.deepEqual(listed.map((s) => [s.lat, s.lon]).slice(0, 2), [[box.minLat, box.minLon], [box.maxLat, box.maxLon]], 'exact coordinates');
    const clusters = await storage.dashboard.clusters(box, 18);
    assert.equal(clusters.reduce((n, c) => n + c.count, 0), 5);
    assert.equal(clusters.reduce((n, c) => n + c.statuses.Available, 0), 1);
  });
});
