/**
 * station-post on SQLite since migration 840: a new station's `surface_stations` row is written by
 * save-station.ts once (the per-row triggers held), and must stay exactly what a rebuild from
 * `stations` and `connectors` gives, through creates, updates with connectors reordered, retyped
 * or moved stations, deletes, undeletes and rejected posts; the map summaries likewise, once the
 * marks of new stations (migration 870) and status changes (820) are drained. Writers
 * other than station-post (the CLI, a copy, the bench's bulk load) still get the triggers. And the
 * EVSE conflict rule, now one look-up for all of a post's keys, keeps its order (322 before 230,
 * the first connector of the post first) for stations of any size.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { aPartner, aStation, stationIdOf, useStorage } from '../../contract/test-support/setup.js';
import type { StationInput } from '../../poi.js';
import { surfaceCellOf } from './surface.js';
import { seededRandom } from '../../../demo/random.js';

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32, as the demo's). */
const random = (seed: number): (() => number) => seededRandom(seed).next;

const evse = (owner: string, n: number) => ({ evseId: `DE*${owner}*E${n}`, evseKey: `DE${owner}E${n}`, type: 'Type2', speed: 22 });

/** Asserts surface_stations, map_stations' summaries and the hold table are what a rebuild gives. */
function assertDerivedRows(path: string, context: string): void {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT cell, id, lat, lon, is_private, partner_id, owner_type, name, static_changed_at, connector_ids, statuses FROM surface_stations ORDER BY id').raw().all();
    const live = db.prepare('SELECT id, latitude, longitude, is_private, partner_id, owner_type, name, static_changed_at FROM stations WHERE deleted = 0 ORDER BY id').raw().all() as unknown[][];
    const connectors = db.prepare('SELECT id, status FROM connectors WHERE station_id = ? ORDER BY position').raw();
    const rebuilt = live.map(([id, lat, lon, ...rest]) => {
      const cs = connectors.all(id) as Array<[number, string]>;
      return [surfaceCellOf(lat as number, lon as number), id, lat, lon, ...rest, cs.map((c) => c[0]).join(','), cs.map((c) => c[1]).join(',')];
    });
    assert.deepEqual(rows, rebuilt, `surface_stations after ${context}`);
    // Every station, live or not, has its map row; its summary by 700's rule.
    const summaries = db.prepare(`SELECT s.id, s.deleted = 0, CASE
        WHEN sum(c.status = 'Available') > 0 THEN 'Available' WHEN sum(c.status IN ('Occupied','Reserved')) > 0 THEN 'Occupied'
        WHEN count(c.status) > 0 AND sum(c.status <> 'Offline') = 0 THEN 'Offline' ELSE 'Unknown' END
      FROM stations s LEFT JOIN connectors c ON c.station_id = s.id GROUP BY s.id ORDER BY s.id`).raw().all();
    assert.deepEqual(db.prepare('SELECT station_id, live, summary FROM map_stations ORDER BY station_id').raw().all(), summaries, `map_stations after ${context}`);
    assert.equal(db.prepare('SELECT count(*) FROM station_post_hold').pluck().get(), 0, `nothing held after ${context}`);
    assert.equal(db.prepare('SELECT count(*) FROM surface_staging').pluck().get(), 0, `nothing staged once drained, after ${context}`);
  } finally {
    db.close();
  }
}

describe('station-post keeps surface_stations and the map equal to a rebuild (SQLite, migration 840)', () => {
  const h = useStorage('sqlite');
  const path = () => h.url.replace(/^sqlite:(\/\/)?/, '');

  it('should after random creates, reorders, retypes, moves, deletes, undeletes and rejected posts', async () => {
    const rnd = random(11);
    const a = await aPartner(h.storage, 'HoldA');
    const b = await aPartner(h.storage, 'HoldB');
    const posted = new Map<string, StationInput>();
    let n = 0;
    for (let step = 0; step < 400; step++) {
      const owner = rnd() < 0.5 ? a : b;
      const mine = [...posted.values()].filter((s) => s.ownerIdentifier === owner.identifier);
      const r = rnd();
      let input: StationInput;
      if (mine.length === 0 || r < 0.45) {
        const count = 1 + Math.floor(rnd() * 11); // up to 11: more than one foreign-EVSE slice
        input = aStation(owner, { cpoStationId: `hold-${++n}`, latitude: 45 + rnd() * 10, longitude: 2 + rnd() * 15, isPrivate: rnd() < 0.3, at: 1_000 + step });
        input.connectors = Array.from({ length: count }, () => evse(owner === a ? 'AAA' : 'BBB', ++n));
      } else {
        const old = mine[Math.floor(rnd() * mine.length)]!;
        input = { ...old, connectors: [...old.connectors], at: 1_000 + step, deleted: false };
        const what = rnd();
        if (what < 0.25) input.connectors.reverse();
        else if (what < 0.4) input.connectors = input.connectors.map((c, i) => (i === 0 ? { ...c, speed: c.speed + 1 } : c));
        else if (what < 0.55) Object.assign(input, { latitude: input.latitude + 0.01, longitude: input.longitude - 0.02 });
        else if (what < 0.65) input.isPrivate = !input.isPrivate;
        else if (what < 0.8) input.deleted = true;
        else if (what < 0.9) input.connectors = [...input.connectors, evse('AAA', ++n)]; // rejected: the connector set changed
        else input.name = `Renamed ${step}`;
      }
      const out = await h.storage.poi.saveStation(input);
      if (out.ok) posted.set(`${input.ownerIdentifier}/${input.cpoStationId}`, input);
      else assert.equal(out.reason, 'connector-set-changed');
      // A status change now and then, so the rows carry more than 'Unknown'.
      if (rnd() < 0.2 && input.connectors.length) await h.storage.poi.setStatus(input.ownerIdentifier, input.connectors[0]!.evseKey, rnd() < 0.5 ? 'Available' : 'Offline', 5_000 + step);
      if (step % 50 === 49) {
        await h.storage.dashboard.refreshMap(1_000_000); // status changes refresh the rows when their marks are drained (830)
        assertDerivedRows(path(), `step ${step}`);
      }
    }
  });

  it('should leave nothing held when a new station is rejected for a taken EVSE', async () => {
    const a = await aPartner(h.storage, 'HoldC');
    const b = await aPartner(h.storage, 'HoldD');
    stationIdOf(await h.storage.poi.saveStation(aStation(a, { evse: ['DE*CCC*E1', 'DE*CCC*E2'] })));
    const out = await h.storage.poi.saveStation(aStation(b, { evse: ['DE*DDD*E1', 'DE*CCC*E2'], latitude: 40 }));
    assert.deepEqual(out, { ok: false, reason: 'evse-taken', evseId: 'DE*CCC*E2', sameCoordinates: false });
    await h.storage.dashboard.refreshMap(1_000_000); // the accepted station joins the map when its mark is drained (870)
    assertDerivedRows(path(), 'a rejected post');
  });

  it('should add a new station to the map cells and surface_stations only once its mark is drained (migrations 870, 880)', async () => {
    await h.storage.dashboard.refreshMap(1_000_000);
    const a = await aPartner(h.storage, 'HoldF');
    const cells = () => {
      const db = new Database(path(), { readonly: true });
      try {
        return db.prepare('SELECT level, sum(n) AS n, sum(unknown) AS u FROM map_cells GROUP BY level ORDER BY level').all();
      } finally {
        db.close();
      }
    };
    const before = cells();
    const id = stationIdOf(await h.storage.poi.saveStation(aStation(a, { evse: ['DE*FFF*E1', 'DE*FFF*E2'], latitude: 51.5, longitude: 7.4 })));
    const db = new Database(path(), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT live, summary FROM map_stations WHERE station_id = ?').get(id), { live: 0, summary: 'Unknown' }, 'not on the map yet');
      assert.equal(db.prepare('SELECT count(*) FROM map_dirty WHERE station_id = ?').pluck().get(id), 1, 'marked in the post\'s own transaction');
      assert.equal(db.prepare('SELECT count(*) FROM surface_staging WHERE id = ?').pluck().get(id), 1, 'its surface row staged (880)');
      assert.equal(db.prepare('SELECT count(*) FROM surface_stations WHERE id = ?').pluck().get(id), 0, 'and not yet in surface_stations');
    } finally {
      db.close();
    }
    assert.deepEqual(cells(), before, 'no cell counts it before the drain');
    assert.equal(await h.storage.dashboard.refreshMap(1_000_000), 1);
    const after = cells() as Array<{ level: number; n: number; u: number }>;
    assert.deepEqual(after, (before as Array<{ level: number; n: number; u: number }>).map((c) => ({ ...c, n: c.n + 1, u: c.u + 1 })), 'counted once, at every level, as Unknown');
    assertDerivedRows(path(), 'a drained new station');
  });

  it('should still keep the rows by trigger for other writers (a copy, the CLI, a bulk load)', async () => {
    await h.storage.dashboard.refreshMap(1_000_000);
    const a = await aPartner(h.storage, 'HoldE');
    const db = new Database(path());
    try {
      db.pragma('foreign_keys = ON');
      db.transaction(() => {
        const id = Number(db.prepare(`INSERT INTO stations (partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, data, static_changed_at, created_at)
          VALUES (?, ?, 'direct-1', 'Direct', 50.1, 8.6, '{}', 7, 7)`).run(a.id, a.identifier).lastInsertRowid);
        for (let i = 0; i < 3; i++) db.prepare(`INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed, status) VALUES (?, ?, ?, ?, 'Type2', 22, ?)`).run(id, 2 - i, `DE*EEE*E${i}`, `DEEEEE${i}`, i === 1 ? 'Available' : 'Unknown');
      })();
    } finally {
      db.close();
    }
    assertDerivedRows(path(), 'a direct insert'); // no drain: such writers update the map at once
  });
});

describe('station-post EVSE conflicts across a post (SQLite)', () => {
  const h = useStorage('sqlite');

  it('should answer the first connector of the post taken elsewhere (322) before one taken at the same place (230), at any size', async () => {
    const a = await aPartner(h.storage, 'ConfA');
    const b = await aPartner(h.storage, 'ConfB');
    const here = { latitude: 48.1, longitude: 11.5 };
    const there = { latitude: 48.2, longitude: 11.5 };
    stationIdOf(await h.storage.poi.saveStation(aStation(a, { ...here, evse: ['DE*AAA*E1', 'DE*AAA*E2'] })));
    stationIdOf(await h.storage.poi.saveStation(aStation(a, { ...there, evse: ['DE*AAA*E3'] })));
    const fill = (k: number) => Array.from({ length: k }, (_, i) => `DE*BBB*E${k}x${i}`);
    for (const pad of [0, 7, 8, 20]) {
      const post = (evses: string[]) => h.storage.poi.saveStation(aStation(b, { ...here, evse: evses }));
      assert.deepEqual(await post([...fill(pad), 'DE*AAA*E1', 'de*aaa*e3']), { ok: false, reason: 'evse-taken', evseId: 'de*aaa*e3', sameCoordinates: false }, `pad ${pad}`);
      assert.deepEqual(await post([...fill(pad), 'DE*AAA*E3', 'DE*AAA*E1']), { ok: false, reason: 'evse-taken', evseId: 'DE*AAA*E3', sameCoordinates: false }, `pad ${pad}`);
      assert.deepEqual(await post([...fill(pad), 'DE*AAA*E2', 'DE*AAA*E1']), { ok: false, reason: 'evse-taken', evseId: 'DE*AAA*E2', sameCoordinates: true }, `pad ${pad}`);
    }
    // The owner's own EVSE IDs are no conflict.
    assert.ok((await h.storage.poi.saveStation(aStation(a, { ...here, evse: ['DE*AAA*E1', 'DE*AAA*E9'] }))).ok);
  });
});
