/**
 * The operator map after status changes (migration 820) on every engine: a status change marks
 * its station, `refreshMap` brings `map_stations` and `map_cells` to what a recomputation from
 * stations and connectors gives, and the dashboard's reads never show a summary older than the
 * last status change committed before them.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import pg from 'pg';
import { freshDatabase } from '../../../test/support/engines.js';
import { copyStorage, openDump } from '../copy.js';
import { AGGREGATE_LEVELS, cellSize, type MapBox } from '../dashboard.js';
import type { ConnectorStatusValue } from '../poi.js';
import { aPartner, aStation, rawExec, rawQuery, stationIdOf, testEngines, useStorage, type Engine } from './test-support/setup.js';

/** Each station's summary by 700's rule, grouped over stations and connectors (portable SQL). */
const EXPECTED_SUMMARIES = `SELECT s.id AS id, s.latitude AS lat, s.longitude AS lon, s.deleted AS deleted, CASE
    WHEN sum(CASE WHEN c.status = 'Available' THEN 1 ELSE 0 END) > 0 THEN 'Available'
    WHEN sum(CASE WHEN c.status IN ('Occupied', 'Reserved') THEN 1 ELSE 0 END) > 0 THEN 'Occupied'
    WHEN count(c.status) > 0 AND sum(CASE WHEN c.status <> 'Offline' THEN 1 ELSE 0 END) = 0 THEN 'Offline'
    ELSE 'Unknown' END AS summary, count(c.station_id) AS connectors
  FROM stations s LEFT JOIN connectors c ON c.station_id = s.id GROUP BY s.id, s.latitude, s.longitude, s.deleted ORDER BY s.id`;

type Cell = { level: number; cx: number; cy: number; n: number; slat: number; slon: number; available: number; occupied: number; reserved: number; offline: number; unknown: number; k: number };

const key = (c: { level: number; cx: number; cy: number }) => `${c.level}/${c.cx}/${c.cy}`;
const round = (v: number) => Math.round(Number(v) * 1e6) / 1e6;

/** map_stations and map_cells as stored, and as recomputed from scratch. */
async function mapState(engine: Engine, url: string) {
  const expected = await rawQuery<{ id: number; lat: number; lon: number; deleted: number; summary: ConnectorStatusValue; connectors: number }>(engine, url, EXPECTED_SUMMARIES);
  const cells = new Map<string, Cell>();
  for (const s of expected) {
    if (Number(s.deleted) !== 0) continue;
    for (const level of AGGREGATE_LEVELS) {
      const size = cellSize(level);
      const at = { level, cx: Math.floor((Number(s.lon) + 180) / size), cy: Math.floor((Number(s.lat) + 90) / size) };
      const c = cells.get(key(at)) ?? { ...at, n: 0, slat: 0, slon: 0, available: 0, occupied: 0, reserved: 0, offline: 0, unknown: 0, k: 0 };
      c.n++;
      c.k += Number(s.connectors);
      c.slat += Number(s.lat);
      c.slon += Number(s.lon);
      c[s.summary.toLowerCase() as 'available']++;
      cells.set(key(at), c);
    }
  }
  const stored = await rawQuery<Cell>(engine, url, 'SELECT * FROM map_cells WHERE n <> 0 ORDER BY level, cx, cy');
  const norm = (c: Cell) => ({ ...c, level: Number(c.level), cx: Number(c.cx), cy: Number(c.cy), n: Number(c.n), slat: round(c.slat), slon: round(c.slon),
    available: Number(c.available), occupied: Number(c.occupied), reserved: Number(c.reserved), offline: Number(c.offline), unknown: Number(c.unknown), k: Number(c.k) });
  const summaries = await rawQuery<{ station_id: number; summary: string; connectors: number }>(engine, url, 'SELECT station_id, summary, connectors FROM map_stations ORDER BY station_id');
  return {
    summaries: summaries.map((r) => [Number(r.station_id), r.summary, Number(r.connectors)]),
    expectedSummaries: expected.map((s) => [Number(s.id), s.summary, Number(s.connectors)]),
    cells: stored.map(norm),
    expectedCells: [...cells.values()].sort((a, b) => a.level - b.level || a.cx - b.cx || a.cy - b.cy).map(norm),
  };
}

async function dirty(engine: Engine, url: string): Promise<number[]> {
  return (await rawQuery<{ station_id: number }>(engine, url, 'SELECT station_id FROM map_dirty ORDER BY station_id')).map((r) => Number(r.station_id));
}

const WORLD: MapBox = { minLat: -90, maxLat: 90, minLon: -180, maxLon: 180 };

for (const engine of testEngines()) {
  describe(`the map after status changes on ${engine}`, () => {
    const h = useStorage(engine);
    let cpo: { id: number; identifier: string };
    const ids: number[] = [];
    const evse: string[][] = [];
    before(async () => {
      cpo = await aPartner(h.storage, 'mapcpo');
      // Stations spread over several cells at every level, two connectors each.
      for (let i = 0; i < 12; i++) {
        const input = aStation(cpo, { latitude: 40 + i * 1.7, longitude: -5 + i * 2.3 });
        ids.push(stationIdOf(await h.storage.poi.saveStation(input)));
        evse.push(input.connectors.map((c) => c.evseKey));
      }
      await drainAll();
    });

    const status = (i: number, j: number, s: ConnectorStatusValue, at = Date.now()) => h.storage.poi.setStatus(cpo.identifier, evse[i]![j]!, s, at);
    async function drainAll(limit = 500): Promise<number> {
      let total = 0;
      for (;;) {
        const n = await h.storage.dashboard.refreshMap(limit);
        total += n;
        if (n < limit) return total;
      }
    }
    async function assertMapRight(): Promise<void> {
      const m = await mapState(engine, h.url);
      assert.deepEqual(m.summaries, m.expectedSummaries);
      assert.deepEqual(m.cells, m.expectedCells);
    }

    it('should mark a station whose connector status changes, and only on a change', async () => {
      assert.deepEqual(await dirty(engine, h.url), []);
      await status(0, 0, 'Available');
      await status(3, 1, 'Occupied');
      await status(3, 0, 'Occupied');
      assert.deepEqual(await dirty(engine, h.url), [ids[0], ids[3]]);
      assert.equal(await drainAll(), 2);
      assert.deepEqual(await dirty(engine, h.url), []);
      await status(0, 0, 'Available'); // the same status again: no change, no mark
      assert.deepEqual(await dirty(engine, h.url), []);
      await assertMapRight();
    });

    it('should make map_stations and map_cells equal a recomputation after a refresh, in slices', async () => {
      const all: ConnectorStatusValue[] = ['Available', 'Occupied', 'Reserved', 'Offline', 'Unknown'];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < ids.length; i++) for (let j = 0; j < 2; j++) await status(i, j, all[(i * 3 + j * 2 + round) % all.length]!);
        assert.equal((await dirty(engine, h.url)).length > 5, true);
        // slices of 5: 5, 5, then the rest
        assert.equal(await h.storage.dashboard.refreshMap(5), 5);
        assert.equal(await drainAll(5) >= 1, true);
        assert.deepEqual(await dirty(engine, h.url), []);
        await assertMapRight();
      }
      // a change and its undoing between two refreshes: marked, and nothing moves
      await status(5, 0, 'Offline');
      await status(5, 1, 'Offline');
      await status(5, 0, 'Available');
      await drainAll();
      await assertMapRight();
      // a soft-deleted station's mark: the station leaves the cells at once (700), the mark changes nothing
      await status(7, 0, 'Occupied');
      await assertMapRightAfter(async () => {
        const rows = await h.storage.poi.stationsByIds([ids[7]!], cpo.id);
        const s = rows[0]!;
        const back = await h.storage.poi.saveStation({
          ownerPartnerId: cpo.id, ownerIdentifier: cpo.identifier, cpoStationId: s.cpoStationId, name: s.name, latitude: s.latitude, longitude: s.longitude,
          isPrivate: false, isFreeCharge: false, deleted: true, data: s.data, connectors: s.connectors.map((c) => ({ evseId: c.evseId, evseKey: c.evseKey, type: c.type, speed: c.speed })), at: 5_000,
        });
        assert.equal(back.ok, true);
      });
      // connectors added and removed by another writer (station-post never changes a station's set):
      // the station's count and its cells' k follow (SQLite migration 920, PostgreSQL 910)
      await assertMapRightAfter(() => rawExec(engine, h.url, `
        INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed, status) VALUES (${ids[3]}, 3, 'DE*8PS*E3X', 'DE8PSE3X', 'Type2', 22, 'Available');
        INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed, status) VALUES (${ids[3]}, 4, 'DE*8PS*E3Y', 'DE8PSE3Y', 'Type2', 22, 'Offline');`));
      assert.deepEqual((await mapState(engine, h.url)).summaries.find(([id]) => id === ids[3])!.slice(2), [4]);
      await assertMapRightAfter(() => rawExec(engine, h.url, `DELETE FROM connectors WHERE evse_key = 'DE8PSE3Y'`));
      assert.deepEqual((await mapState(engine, h.url)).summaries.find(([id]) => id === ids[3])!.slice(2), [3]);
    });

    async function assertMapRightAfter(change: () => Promise<void>): Promise<void> {
      await change();
      await drainAll();
      await assertMapRight();
    }

    it("should show a status change in the dashboard's reads right after it is posted", async () => {
      const box: MapBox = { minLat: 39, maxLat: 41, minLon: -6, maxLon: -4 }; // station 0 alone
      await status(0, 0, 'Offline');
      await status(0, 1, 'Offline');
      assert.deepEqual((await h.storage.dashboard.stations(box, 10)).map((s) => [s.id, s.summary]), [[ids[0], 'Offline']]);
      await status(0, 1, 'Occupied');
      const [target] = await h.storage.dashboard.statusTargets(cpo.identifier, evse[0]![1]!);
      assert.equal(target!.summary, 'Occupied'); // computed without waiting for a refresh
      assert.deepEqual((await h.storage.dashboard.stations(box, 10)).map((s) => [s.id, s.summary]), [[ids[0], 'Occupied']]);
      await status(0, 0, 'Available');
      const [cluster] = await h.storage.dashboard.clusters(box, 6);
      assert.equal(cluster!.statuses.Available, 1);
      assert.equal(cluster!.statuses.Occupied, 0);
      const m = await mapState(engine, h.url);
      await status(1, 0, 'Reserved');
      await status(1, 1, 'Reserved');
      const totals = await h.storage.dashboard.totals();
      const expected = (await mapState(engine, h.url)).expectedSummaries.filter(([id]) => id !== ids[7]);
      assert.equal(totals.stationsByStatus.Occupied, expected.filter(([, s]) => s === 'Occupied').length);
      assert.equal(totals.stations, m.expectedSummaries.length - 1);
      assert.equal(totals.connectors, expected.reduce((sum, [, , k]) => sum + Number(k), 0));
      const world = await h.storage.dashboard.clusters(WORLD, 2);
      assert.equal(world.reduce((n, c) => n + c.statuses.Occupied, 0), totals.stationsByStatus.Occupied);
      assert.deepEqual(await dirty(engine, h.url), []);
      await assertMapRight();
    });

    it('should add a new station to the map cells when its mark is drained, not in its post (migration 870)', async () => {
      await drainAll();
      const before = (await mapState(engine, h.url)).cells;
      const id = stationIdOf(await h.storage.poi.saveStation(aStation(cpo, { latitude: 30.5, longitude: 20.5 })));
      assert.ok((await dirty(engine, h.url)).includes(id));
      assert.deepEqual((await mapState(engine, h.url)).cells, before);
      await drainAll();
      await assertMapRight();
      assert.equal((await h.storage.dashboard.stations({ minLat: 30, maxLat: 31, minLon: 20, maxLon: 21 }, 10)).length, 1);
    });

    it('should let two hubs on one database refresh at once without taking a mark twice', async () => {
      const other = await h.another();
      for (let i = 0; i < ids.length; i++) await status(i, 0, i % 2 ? 'Offline' : 'Occupied');
      const marked = (await dirty(engine, h.url)).length;
      const taken = await Promise.all([h.storage.dashboard.refreshMap(3), other.dashboard.refreshMap(3), h.storage.dashboard.refreshMap(500), other.dashboard.refreshMap(500)]);
      assert.equal(taken.reduce((a, b) => a + b, 0), marked);
      await assertMapRight();
    });

    it('should give a copy made by oioi migrate a map that is right at once, with no marks left', async () => {
      for (let i = 0; i < ids.length; i++) await status(i, 1, i % 3 ? 'Available' : 'Offline');
      await status(9, 0, 'Occupied');
      assert.equal((await dirty(engine, h.url)).length > 3, true);
      // A new station: on PostgreSQL its map row waits not yet live, marked (migration 870).
      await h.storage.poi.saveStation(aStation(cpo, { latitude: 33.3, longitude: 12.1 }));
      // And one without connectors, whose summary is Unknown, not Offline.
      stationIdOf(await h.storage.poi.saveStation(aStation(cpo, { latitude: 33.4, longitude: 12.2, evse: [] })));
      const stale = await mapState(engine, h.url);
      assert.notDeepEqual(stale.summaries, stale.expectedSummaries, 'the source still has marks to drain');
      const SURFACE = 'SELECT * FROM surface_stations ORDER BY cell, id';
      const TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name";
      let copied: { surface: unknown[]; staged: unknown[]; triggers: unknown[] } | undefined;
      for (const to of testEngines()) {
        const target = await freshDatabase(to);
        try {
          const from = await openDump(h.url, { mustExist: true });
          const into = await openDump(target.url, { mustExist: false });
          try {
            const report = await copyStorage(from, into);
            assert.deepEqual(report.filter((t) => /^(map|surface)_/.test(t.table)), [], 'summaries are not copied but made');
          } finally {
            await from.close();
            await into.close();
          }
          assert.deepEqual(await dirty(to, target.url), [], `nothing marked on ${to}`);
          const m = await mapState(to, target.url);
          assert.deepEqual(m.summaries, m.expectedSummaries, `summaries of the copy on ${to}`);
          assert.deepEqual(m.cells, m.expectedCells, `cells of the copy on ${to}`);
          assert.deepEqual(m.expectedSummaries, stale.expectedSummaries, `the copy on ${to} has the source's stations and statuses`);
          if (to === 'sqlite') {
            // Made at the end of the copy with the triggers set aside (sqlite/map-rebuild.ts), and the triggers back.
            copied = { surface: await rawQuery(to, target.url, SURFACE), staged: await rawQuery(to, target.url, 'SELECT * FROM surface_staging'), triggers: await rawQuery(to, target.url, TRIGGERS) };
          }
        } finally {
          await target.drop();
        }
      }
      await drainAll();
      await assertMapRight();
      if (engine === 'sqlite' && copied) {
        // The source's surface rows, kept by its triggers and drained: what the copy made at once.
        assert.deepEqual(copied.surface, await rawQuery(engine, h.url, SURFACE));
        assert.deepEqual(copied.staged, []);
        assert.deepEqual(copied.triggers, await rawQuery(engine, h.url, TRIGGERS));
        assert.equal(copied.triggers.length > 10, true);
      }
    });

    if (engine === 'postgres') {
      it('should leave the map alone inside a copy\'s transaction (oioi.copying, migration 910), and rebuild it only there', async () => {
        await drainAll();
        const before = await mapState(engine, h.url);
        const client = new pg.Client({ connectionString: h.url });
        await client.connect();
        try {
          await assert.rejects(client.query('SELECT oioi_map_rebuild()'), /runs inside a copy/);
          await client.query('BEGIN');
          await client.query("SET LOCAL oioi.copying = 'on'");
          await client.query(`UPDATE connectors SET status = 'Occupied' WHERE evse_key = $1`, [evse[5]![0]]);
          const cellsBefore = (await client.query('SELECT sum(n)::int AS n, sum(occupied)::int AS o FROM map_cells')).rows[0];
          const [{ id }] = (await client.query(`INSERT INTO stations (partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, data, static_changed_at, created_at)
            SELECT partner_id, partner_identifier, 'copied-1', name, 10.5, 10.5, data, static_changed_at, created_at FROM stations WHERE id = $1 RETURNING id`, [ids[5]])).rows;
          const seen = async (table: string) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
          assert.equal(await seen('map_dirty'), 0, 'no mark');
          assert.equal(Number((await client.query('SELECT count(*) AS n FROM map_stations WHERE station_id = $1', [id])).rows[0].n), 0, 'no map row');
          assert.deepEqual((await client.query('SELECT sum(n)::int AS n, sum(occupied)::int AS o FROM map_cells')).rows[0], cellsBefore, 'no cell changed');
          await client.query('SELECT oioi_map_rebuild()');
          assert.equal(Number((await client.query('SELECT count(*) AS n FROM map_stations WHERE station_id = $1', [id])).rows[0].n), 1, 'rebuilt');
          await client.query('ROLLBACK');
        } finally {
          await client.end();
        }
        assert.deepEqual(await mapState(engine, h.url), before);
        await status(5, 0, 'Occupied');
        assert.deepEqual(await dirty(engine, h.url), [ids[5]], 'outside a copy the trigger marks again');
        await drainAll();
        await assertMapRight();
      });

      it('should leave a mark that an open status transaction holds, and take it after that commits', async () => {
        await status(2, 0, 'Available');
        await status(4, 0, 'Available');
        const client = new pg.Client({ connectionString: h.url });
        await client.connect();
        try {
          await client.query('BEGIN');
          // station 2 already marked: the open transaction's upsert locks its mark
          await client.query(`UPDATE connectors SET status = 'Offline' WHERE evse_key = $1`, [evse[2]![0]]);
          await client.query(`UPDATE connectors SET status = 'Offline' WHERE evse_key = $1`, [evse[2]![1]]);
          assert.equal(await h.storage.dashboard.refreshMap(500), 1); // station 4 only
          assert.deepEqual(await dirty(engine, h.url), [ids[2]]);
          await client.query('COMMIT');
        } finally {
          await client.end();
        }
        assert.equal(await h.storage.dashboard.refreshMap(500), 1);
        assert.equal((await mapState(engine, h.url)).summaries.find(([id]) => id === ids[2])![1], 'Offline');
        await assertMapRight();
      });

      it('should let a status change made while a refresh holds the mark mark the station again', async () => {
        await status(6, 0, 'Available');
        const claimer = new pg.Client({ connectionString: h.url });
        const poster = new pg.Client({ connectionString: h.url });
        await claimer.connect();
        await poster.connect();
        try {
          await claimer.query('BEGIN');
          await claimer.query('DELETE FROM map_dirty WHERE station_id = $1', [ids[6]]);
          await poster.query('BEGIN');
          // its mark waits for the claim to end, then is written again
          const marking = poster.query(`UPDATE connectors SET status = 'Offline' WHERE evse_key IN ($1, $2)`, [evse[6]![0], evse[6]![1]]).then(() => poster.query('COMMIT'));
          await new Promise((r) => setTimeout(r, 50));
          await claimer.query('COMMIT');
          await marking;
        } finally {
          await claimer.end();
          await poster.end();
        }
        assert.deepEqual(await dirty(engine, h.url), [ids[6]]);
        await drainAll();
        await assertMapRight();
      });
    }
  });
}
