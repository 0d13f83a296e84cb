/**
 * station-get-surface against a brute-force answer, on every engine: clustered random stations
 * (public, private, deleted, moved, reordered), random boxes, limits, excludes and filters; status
 * changes seen at once. On SQLite also: `surface_stations` (migration 800) equals a rebuild from
 * `stations` and `connectors` after all that, and the key ranges of a window cover it.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { aPartner, aStation, namesAsText, stationIdOf, testEngines, useStorage } from '../../contract/test-support/setup.js';
import type { StationInput, SurfaceQuery, SurfaceStationRecord } from '../../poi.js';
import { cellRanges, surfaceCellOf } from './surface.js';
import { seededRandom } from '../../../demo/random.js';

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32, as the demo's). */
const random = (seed: number): (() => number) => seededRandom(seed).next;

interface Known { id: number; input: StationInput; ownerId: number; staticChangedAt: number; connectors: Array<{ id: number; key: string; status: string; type: string; speed: number }> }

/** What the surface answer must be: every live visible station of the box, by (distance, id). */
function bruteForce(all: Known[], q: SurfaceQuery): { stations: SurfaceStationRecord[]; hasMore: boolean } {
  const cLat = (q.minLat + q.maxLat) / 2;
  const cLon = (q.minLon + q.maxLon) / 2;
  const k = Math.max(Math.cos((cLat * Math.PI) / 180), 1e-6);
  const excluded = new Set(q.excludes ?? []);
  const hits = all.filter((s) => {
    const i = s.input;
    if (i.deleted || (i.isPrivate && s.ownerId !== q.askerPartnerId) || excluded.has(s.id)) return false;
    if (i.latitude < q.minLat || i.latitude > q.maxLat || i.longitude < q.minLon || i.longitude > q.maxLon) return false;
    if (q.operatorIds?.length && !q.operatorIds.includes(s.ownerId)) return false;
    if (q.companyTypes?.length) return false; // no station has an owner type here
    if (q.connectorTypes?.length || q.speedAtLeast !== undefined || q.speedAtMost !== undefined) {
      return s.connectors.some((c) => (!q.connectorTypes?.length || q.connectorTypes.includes(c.type))
        && (q.speedAtLeast === undefined || c.speed >= q.speedAtLeast) && (q.speedAtMost === undefined || c.speed <= q.speedAtMost));
    }
    return true;
  }).map((s) => {
    const dy = s.input.latitude - cLat;
    const dx = (s.input.longitude - cLon) * k;
    return { s, d: Math.sqrt(dx * dx + dy * dy) };
  });
  hits.sort((a, b) => a.d - b.d || a.s.id - b.s.id);
  return {
    hasMore: hits.length > q.limit,
    stations: hits.slice(0, q.limit).map(({ s }) => ({
      id: s.id, name: s.input.name, latitude: s.input.latitude, longitude: s.input.longitude, ownerType: null, staticChangedAt: s.staticChangedAt,
      connectors: s.connectors.map((c) => ({ id: c.id, status: c.status as SurfaceStationRecord['connectors'][number]['status'] })),
    })),
  };
}

for (const engine of testEngines()) {
  describe(`station-get-surface against brute force on ${engine}`, () => {
    const h = useStorage(engine);
    const rnd = random(7);
    const known: Known[] = [];
    let a: { id: number; identifier: string };
    let b: { id: number; identifier: string };
    const centres = [[48.857, 2.352], [52.52, 13.405], [59.33, 18.07], [-33.9, 151.2], [0.001, -0.001]] as const;

    /** Saves a station and records what the hub should now answer for it (connectors: refresh()). */
    async function save(input: StationInput, ownerId: number): Promise<void> {
      const id = stationIdOf(await h.storage.poi.saveStation(input));
      const old = known.find((s) => s.id === id);
      if (old) old.input = input;
      else known.push({ id, input, ownerId, staticChangedAt: input.at, connectors: [] });
    }

    /** Connectors (order, type, speed, status) and last static change of every live station, as `stationsByIds` reads them. */
    async function refresh(): Promise<void> {
      for (const s of known) {
        if (s.input.deleted) continue;
        const [stored] = await h.storage.poi.stationsByIds([s.id], s.ownerId);
        s.staticChangedAt = stored!.staticChangedAt;
        s.connectors = stored!.connectors.map((c) => ({ id: c.id, key: c.evseKey, status: c.status, type: c.type, speed: c.speed }));
      }
    }

    before(async () => {
      a = await aPartner(h.storage, 'surface-a');
      b = await aPartner(h.storage, 'surface-b');
      for (let i = 0; i < 1200; i++) {
        const [lat, lon] = centres[i % centres.length]!;
        const spread = i % 7 === 0 ? 0.5 : 0.03;
        const owner = i % 3 === 0 ? b : a;
        const input = aStation(owner, {
          latitude: Math.round((lat + (rnd() - 0.5) * spread) * 1e6) / 1e6,
          longitude: Math.round((lon + (rnd() - 0.5) * spread) * 1e6) / 1e6,
          isPrivate: i % 11 === 0,
          at: 1_000 + i,
          evse: Array.from({ length: 1 + (i % 3) }, (_, k) => `DE*SRF*E${i}X${k}`),
        });
        input.connectors.forEach((c, k) => Object.assign(c, { type: k === 1 ? 'Combo' : 'Type2', speed: k === 1 ? 150 : 11 + (i % 4) * 11 }));
        await save(input, owner.id);
      }
      // Duplicates at one spot (ties broken by id), then changes of every kind.
      for (let i = 0; i < 5; i++) await save(aStation(a, { latitude: 52.52, longitude: 13.405, at: 5_000 }), a.id);
      for (let i = 0; i < 60; i++) {
        const s = known[Math.floor(rnd() * known.length)]!;
        const owner = s.ownerId === a.id ? a : b;
        const change = i % 4;
        if (change === 0) await save({ ...s.input, deleted: true, at: 6_000 + i }, s.ownerId);
        else if (change === 1) await save({ ...s.input, deleted: false, latitude: s.input.latitude + 0.001, name: `Moved ${i}`, at: 6_000 + i }, s.ownerId);
        else if (change === 2) await save({ ...s.input, deleted: false, isPrivate: !s.input.isPrivate, at: 6_000 + i }, s.ownerId);
        else await save({ ...s.input, deleted: false, connectors: [...s.input.connectors].reverse(), at: 6_000 + i }, s.ownerId);
        const status = (['Available', 'Occupied', 'Reserved', 'Offline'] as const)[i % 4];
        await h.storage.poi.setStatus(owner.identifier, s.input.connectors[0]!.evseKey, status, 7_000 + i);
      }
      await refresh();
    });

    it('should answer every box as the brute force does, for any limit, exclusion and filter', async () => {
      const boxes: SurfaceQuery[] = [];
      for (let i = 0; i < 150; i++) {
        const [lat, lon] = centres[i % centres.length]!;
        const half = [0.0005, 0.005, 0.02, 0.1, 1][i % 5]!;
        const cLat = lat + (rnd() - 0.5) * 0.05;
        const cLon = lon + (rnd() - 0.5) * 0.05;
        const q: SurfaceQuery = {
          minLat: cLat - half, maxLat: cLat + half * (i % 3 === 0 ? 3 : 1), minLon: cLon - half * 1.5, maxLon: cLon + half,
          askerPartnerId: i % 2 ? a.id : b.id, limit: [1, 5, 37, 100, 2000][i % 5]!,
        };
        if (i % 6 === 1) q.excludes = known.slice(0, 400).filter((_, k) => k % 3 === 0).map((s) => s.id);
        if (i % 9 === 2) q.connectorTypes = ['Combo'];
        if (i % 9 === 3) (q.speedAtLeast = 30), (q.speedAtMost = 40);
        if (i % 9 === 4) q.operatorIds = [b.id];
        if (i % 9 === 5) q.companyTypes = ['hotel'];
        boxes.push(q);
      }
      // The whole world, a point, a box on a station's exact coordinates.
      const s0 = known.find((s) => !s.input.deleted && !s.input.isPrivate)!;
      boxes.push({ minLat: -90, maxLat: 90, minLon: -180, maxLon: 180, askerPartnerId: a.id, limit: 50 });
      boxes.push({ minLat: s0.input.latitude, maxLat: s0.input.latitude, minLon: s0.input.longitude, maxLon: s0.input.longitude, askerPartnerId: a.id, limit: 10 });
      boxes.push({ minLat: 52.52, maxLat: 52.52, minLon: 13.405, maxLon: 13.405, askerPartnerId: a.id, limit: 3 });
      for (const q of boxes) {
        assert.deepEqual(namesAsText(await h.storage.poi.surface(q)), bruteForce(known, q), JSON.stringify(q));
      }
    });

    it('should show a status change in the next answer', async () => {
      const s = known.find((x) => !x.input.deleted && !x.input.isPrivate && x.connectors.length === 2)!;
      const owner = s.ownerId === a.id ? a : b;
      const box = { minLat: s.input.latitude, maxLat: s.input.latitude, minLon: s.input.longitude, maxLon: s.input.longitude, askerPartnerId: a.id, limit: 10 };
      for (const status of ['Occupied', 'Offline', 'Available'] as const) {
        assert.ok((await h.storage.poi.setStatus(owner.identifier, s.connectors[1]!.key, status, 9_000)) >= 1);
        const hit = (await h.storage.poi.surface(box)).stations.find((x) => x.id === s.id)!;
        assert.deepEqual(hit.connectors, [{ id: s.connectors[0]!.id, status: s.connectors[0]!.status }, { id: s.connectors[1]!.id, status }]);
      }
    });

    if (engine === 'sqlite') {
      it('should keep surface_stations equal to a rebuild from stations and connectors once the status marks are drained', async () => {
        // Status changes only mark their stations (830); draining the marks refreshes the rows.
        assert.ok((await h.storage.dashboard.refreshMap(1_000_000)) > 0, 'the status posts above left marks');
        const db = new Database(h.url.replace(/^sqlite:/, ''), { readonly: true });
        try {
          const rows = db.prepare('SELECT cell, id, lat, lon, is_private, partner_id, owner_type, name, static_changed_at, connector_ids, statuses FROM surface_stations ORDER BY id').raw().all() as unknown[][];
          const live = db.prepare('SELECT id, latitude, longitude, is_private, partner_id, owner_type, name, static_changed_at FROM stations WHERE deleted = 0 ORDER BY id').raw().all() as unknown[][];
          const connectors = db.prepare('SELECT id, status FROM connectors WHERE station_id = ? ORDER BY position').raw();
          const rebuilt = live.map(([id, lat, lon, ...rest]) => {
            const cs = connectors.all(id) as Array<[number, string]>;
            return [surfaceCellOf(lat as number, lon as number), id, lat, lon, ...rest, cs.map((c) => c[0]).join(','), cs.map((c) => c[1]).join(',')];
          });
          assert.equal(rows.length, rebuilt.length);
          assert.deepEqual(rows, rebuilt);
        } finally {
          db.close();
        }
      });
    }
  });
}

describe('surface cell ranges', () => {
  it('should cover every station position inside a window, at any size and place', () => {
    const rnd = random(3);
    for (let i = 0; i < 3000; i++) {
      const half = 10 ** (-5 + rnd() * 7);
      const lat = -89 + rnd() * 178;
      const lon = -179 + rnd() * 358;
      const win = { minLat: Math.max(-90, lat - half), maxLat: Math.min(90, lat + half), minLon: Math.max(-180, lon - half * 2), maxLon: Math.min(180, lon + half) };
      const ranges = cellRanges(win);
      assert.ok(ranges.length <= 24, `at most 24 ranges, got ${ranges.length}`);
      for (let j = 0; j < 20; j++) {
        const pLat = j === 0 ? win.minLat : j === 1 ? win.maxLat : win.minLat + rnd() * (win.maxLat - win.minLat);
        const pLon = j === 0 ? win.minLon : j === 1 ? win.maxLon : win.minLon + rnd() * (win.maxLon - win.minLon);
        const cell = surfaceCellOf(pLat, pLon);
        assert.ok(ranges.some(([lo, hi]) => cell >= lo && cell <= hi), `cell of ${pLat},${pLon} in ${JSON.stringify(win)}`);
      }
    }
  });
});
