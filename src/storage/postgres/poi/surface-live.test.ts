/**
 * The in-memory surface index on PostgreSQL (surface-live.ts, migration 920) against the database's
 * own answer (`oioi_surface`): two storages on one database stand for two hub processes, one
 * writing, the other answering from memory. Every kind of write must show in the next answer, with
 * no wait, no rebuild and nothing missed from a transaction that was still open at a catch-up;
 * copies and stale readers must rebuild; pruning must not change an answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { namesAsText, testEngines } from '../../contract/test-support/setup.js';
import { SurfaceFixture } from '../../contract/test-support/surface-fixture.js';
import { freshDatabase } from '../../../../test/support/engines.js';
import type { StationInput, SurfaceQuery } from '../../poi.js';
import type { Storage } from '../../types.js';
import { openPostgresStorage } from '../index.js';
import type { PgDatabase } from '../database.js';
import type { PgPoi } from '../poi.js';
import { surface } from './surface.js';
import { PgLiveSurface } from './surface-live.js';
import { seededRandom } from '../../../demo/random.js';

type Opened = Storage & { pg: PgDatabase };

describe('surface index kept by PgLiveSurface', { skip: !testEngines().includes('postgres') }, () => {
  const f = new SurfaceFixture(seededRandom(12).next);
  let db: { url: string; drop(): Promise<void> };
  /** The process that writes. */
  let writer: Opened;
  /** The process that answers from memory. */
  let reader: Opened;
  const saved = f.saved;
  const live = () => (reader.poi as PgPoi).live;
  const randomQuery = (i: number) => f.randomQuery(i);

  /** The index's answers against the database function's, query by query; how many the index gave. */
  async function compare(n: number, index = live()): Promise<number> {
    let answered = 0;
    for (let i = 0; i < n; i++) {
      const q = randomQuery(i);
      const fromIndex = await index.answer(q);
      if (fromIndex === undefined) continue;
      answered++;
      assert.deepEqual(namesAsText(fromIndex), await surface(reader.pg, q), JSON.stringify(q));
    }
    return answered;
  }

  /** A box around one station. */
  const boxOf = (s: StationInput, asker: number): SurfaceQuery => ({ minLat: s.latitude - 1e-4, maxLat: s.latitude + 1e-4, minLon: s.longitude - 1e-4, maxLon: s.longitude + 1e-4, askerPartnerId: asker, limit: 50 });

  async function rawClient(): Promise<pg.Client> {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    return c;
  }

  async function logRows(): Promise<number> {
    const c = await rawClient();
    try {
      return Number((await c.query('SELECT count(*) AS n FROM surface_log')).rows[0].n);
    } finally {
      await c.end();
    }
  }

  before(async () => {
    db = await freshDatabase('postgres');
    writer = await openPostgresStorage(db.url);
    reader = await openPostgresStorage(db.url);
    await f.seed(writer, 600, 'PGL');
  });

  after(async () => {
    await reader?.close();
    await writer?.close();
    await db?.drop();
  });

  it('should answer only once built, then as the database function does', async () => {
    assert.equal(live().isReady(), false);
    assert.equal(await live().answer(randomQuery(0)), undefined, 'nothing before the first surface query');
    assert.equal((await reader.poi.prepareSurface!()).stations, saved.length);
    assert.ok((await compare(300)) >= 290, 'city-sized boxes are answered from memory');
  });

  it('should leave a whole-world box and connector filters to the function, without a catch-up', async () => {
    const world: SurfaceQuery = { minLat: -90, maxLat: 90, minLon: -180, maxLon: 180, askerPartnerId: f.a.id, limit: 20 };
    const catchUps = live().catchUps;
    assert.equal(await live().answer(world), undefined);
    assert.equal(await live().answer({ ...randomQuery(1), connectorTypes: ['Type2'] }), undefined);
    assert.equal(live().catchUps, catchUps);
    assert.equal((await reader.poi.surface(world)).stations.length, 20);
  });

  it("should show every kind of another process's write in the very next answer, without a rebuild", async () => {
    const builds = live().builds;
    await f.changeEveryKind(writer, 60, async (s, status) => {
      // No wait: the reader's answer must already hold the write.
      const found = await live().answer(boxOf(s.input, s.owner.id));
      assert.ok(found, 'answered from memory');
      const shown = found.stations.find((x) => x.id === s.id);
      if (s.input.deleted) return assert.equal(shown, undefined, 'a deleted station is gone');
      assert.equal(String(shown?.name), s.input.name);
      assert.equal(shown!.connectors.length, s.input.connectors.length);
      assert.equal(shown!.connectors[0]!.status, status, 'its first connector (by position) has the status just posted');
    });
    assert.ok((await compare(300)) >= 290);
    assert.equal(live().builds, builds, 'kept up by the change log');
  });

  it('should not show a rolled-back write, and should show a write committed after a catch-up that saw it open', async () => {
    const s = saved.find((x) => !x.input.deleted && !x.input.isPrivate)!;
    const box = boxOf(s.input, s.owner.id);
    const c = await rawClient();
    try {
      await c.query('BEGIN');
      await c.query('UPDATE stations SET name = $1 WHERE id = $2', ['Rolled back', s.id]);
      await c.query('ROLLBACK');
      // Open while the reader catches up: its xid is among the snapshot's in-progress ones.
      await c.query('BEGIN');
      await c.query('UPDATE stations SET name = $1 WHERE id = $2', ['Committed late', s.id]);
      assert.equal(String((await live().answer(box))!.stations.find((x) => x.id === s.id)!.name), s.input.name);
      // Later transactions commit first and move the snapshot's xmax past the open one.
      await writer.poi.setStatus(s.owner.identifier, s.input.connectors[0]!.evseKey, 'Offline', 7_000);
      assert.ok(await live().answer(box));
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
    assert.equal(String((await live().answer(box))!.stations.find((x) => x.id === s.id)!.name), 'Committed late');
    s.input = { ...s.input, name: 'Committed late' };
    assert.ok((await compare(100)) >= 95);
  });

  it('should rebuild after a copy wrote without the log, and answer from the function meanwhile', async () => {
    const builds = live().builds;
    const s = saved.find((x) => !x.input.deleted && !x.input.isPrivate)!;
    const c = await rawClient();
    try {
      await c.query('BEGIN');
      await c.query("SET LOCAL oioi.copying = 'on'");
      await c.query('UPDATE stations SET name = $1 WHERE id = $2', ['Copied', s.id]);
      await c.query('UPDATE stations SET name = $1 WHERE id = $2', ['Copied again', s.id]);
      await c.query('COMMIT');
    } finally {
      await c.end();
    }
    assert.equal(await live().answer(boxOf(s.input, s.owner.id)), undefined, 'the epoch moved: rebuilding');
    assert.equal(String((await reader.poi.surface(boxOf(s.input, s.owner.id))).stations.find((x) => x.id === s.id)?.name), 'Copied again');
    await live().whenReady();
    assert.equal(live().builds, builds + 1);
    assert.equal(String((await live().answer(boxOf(s.input, s.owner.id)))!.stations.find((x) => x.id === s.id)!.name), 'Copied again');
    s.input = { ...s.input, name: 'Copied again' };
  });

  it('should prune the log without changing an answer, and make a reader that fell behind rebuild', async () => {
    // A second reader on the writer's pool, with short times (every process must share them: a
    // reader rebuilds before the rows it needs can be pruned, staleMs < keepMs).
    const pruner = new PgLiveSurface(writer.pg, { staleMs: 400, keepMs: 500, tickMs: 60_000 });
    pruner.start();
    await pruner.whenReady();
    for (let i = 0; i < 20; i++) {
      const s = saved[i]!;
      await writer.poi.setStatus(s.owner.identifier, s.input.connectors[0]!.evseKey, i % 2 ? 'Available' : 'Occupied', 8_000 + i);
    }
    assert.ok(await pruner.catchUp());
    // The long-lived reader's snapshot is newer than the pruner's: none of the rows it needs can go.
    assert.ok(await live().catchUp());
    const before = await logRows();
    assert.ok(before >= 20);
    await new Promise((r) => setTimeout(r, 520));
    assert.equal(await pruner.catchUp(), false, 'its last catch-up is older than staleMs: it rebuilds instead');
    await pruner.whenReady();
    await pruner.prune(); // with the snapshot of its catch-up above, now over keepMs old
    assert.ok((await logRows()) < before, 'rows of transactions complete in that snapshot are gone');
    assert.ok((await compare(100, pruner)) >= 95, 'the pruner, rebuilt, answers right');
    pruner.stop();
    assert.ok((await compare(200)) >= 190, 'the long-lived reader still answers right');
  });

  it("should answer another process's reservations from memory, as the function does, in their window only", async () => {
    const s = saved.find((x) => !x.input.deleted && !x.input.isPrivate && x.input.connectors.length >= 2)!;
    const box = boxOf(s.input, s.owner.id);
    const connectors = (await writer.poi.stationsByIds([s.id], s.owner.id))[0]!.connectors;
    const connector = async (i: number) => (await writer.sessions.connectorById(connectors[i]!.id))!;
    // Reservations in no particular order (the hub keys them by connector).
    const sorted = <T extends { reservations?: Array<{ connectorId: number }> }>(x: T): T => ({ ...x, reservations: x.reservations && [...x.reservations].sort((p, q) => p.connectorId - q.connectorId) });
    const both = async (at: number) => {
      const fromIndex = await live().answer(box, at);
      assert.ok(fromIndex, 'answered from memory');
      assert.deepEqual(sorted(namesAsText(fromIndex)), sorted(await surface(reader.pg, box, at)));
      return sorted(fromIndex).reservations;
    };
    assert.deepEqual(await both(5_000), []);
    const r1 = await writer.sessions.addReservation({ partnerId: f.b.id, connector: await connector(0), evcoId: 'DE*8PS*123456*7', identifiers: [], startsAt: 1_000, endsAt: 9_000 });
    const r2 = await writer.sessions.addReservation({ partnerId: f.a.id, connector: await connector(1), evcoId: null, identifiers: [], startsAt: 6_000, endsAt: 9_000 });
    assert.deepEqual(await both(5_000), [{ connectorId: r1.connectorId, partnerId: f.b.id, evcoId: 'DE*8PS*123456*7', endsAt: 9_000 }]);
    assert.equal((await both(7_000))!.length, 2);
    assert.deepEqual(await both(9_000), [], 'both windows closed');
    await writer.sessions.endReservation(r1.id, 'cancelled', 7_500);
    assert.deepEqual(await both(8_000), [{ connectorId: r2.connectorId, partnerId: f.a.id, evcoId: null, endsAt: 9_000 }]);
    assert.equal(await writer.sessions.expireReservations(10_000), 1);
    assert.deepEqual(await both(8_000), [], 'ended');
  });

  it('should log nothing for a status post that changes nothing, and one row per changed connector', async () => {
    const s = saved.find((x) => !x.input.deleted)!;
    const key = s.input.connectors[0]!.evseKey;
    await writer.poi.setStatus(s.owner.identifier, key, 'Available', 9_000);
    const n = await logRows();
    await writer.poi.setStatus(s.owner.identifier, key, 'Available', 9_001);
    assert.equal(await logRows(), n, 'an unchanged status writes no log row');
    await writer.poi.setStatus(s.owner.identifier, key, 'Occupied', 9_002);
    assert.equal(await logRows(), n + 1);
  });
});
