/**
 * The in-memory surface index (surface-index.ts, surface-live.ts) against the SQL query on the
 * same SQLite connection: the same answers for random boxes, limits and filters, after every kind
 * of write through the storage, never changed by a rolled-back write, dropped and rebuilt when
 * another connection writes to the file, and kept through the checkpoint worker's checkpoints.
 * (surface.test.ts checks the answers against brute force.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { aPartner, aStation, namesAsText } from '../../contract/test-support/setup.js';
import { SurfaceFixture } from '../../contract/test-support/surface-fixture.js';
import type { SurfaceQuery } from '../../poi.js';
import { openSqliteStorage } from '../index.js';
import type { SqlitePoi } from '../poi.js';
import { SurfaceQueries } from './surface.js';
import { seededRandom } from '../../../demo/random.js';

type Opened = Awaited<ReturnType<typeof openSqliteStorage>>;

describe('surface index kept by LiveSurface', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-surface-live-'));
  const url = `sqlite:${join(dir, 'hub.db')}`;
  const f = new SurfaceFixture(seededRandom(11).next);
  let storage: Opened;
  let sql: SurfaceQueries;
  const saved = f.saved;
  const live = () => (storage.poi as SqlitePoi).live;
  const randomQuery = (i: number) => f.randomQuery(i);

  /** The index's answer and SQL's for the same queries, in one read transaction; how many the index gave. */
  async function compare(n: number): Promise<number> {
    const queries = Array.from({ length: n }, (_, i) => randomQuery(i));
    return storage.sqlite.read(() => {
      let answered = 0;
      for (const q of queries) {
        const fromIndex = live().answer(q);
        if (fromIndex === undefined) continue;
        answered++;
        assert.deepEqual(namesAsText(fromIndex), sql.run(q), JSON.stringify(q));
      }
      return answered;
    });
  }

  async function whenReady(): Promise<void> {
    for (let i = 0; i < 500 && !live().isReady(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(live().isReady(), 'the index was built');
  }

  before(async () => {
    storage = await openSqliteStorage(url);
    sql = new SurfaceQueries(storage.sqlite.db);
    await f.seed(storage, 900, 'LIV');
  });

  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should answer only once built, then as the SQL query does', async () => {
    assert.equal(live().isReady(), false);
    assert.equal(live().answer(randomQuery(0)), undefined, 'nothing before the first surface query');
    await storage.poi.surface(randomQuery(0)); // starts the build
    await whenReady();
    assert.ok((await compare(300)) >= 290, 'city-sized boxes are answered from memory');
  });

  it('should leave a whole-world box and connector filters to SQL', async () => {
    const world: SurfaceQuery = { minLat: -90, maxLat: 90, minLon: -180, maxLon: 180, askerPartnerId: f.a.id, limit: 20 };
    assert.equal(await storage.sqlite.read(() => live().answer(world)), undefined);
    assert.equal(await storage.sqlite.read(() => live().answer({ ...randomQuery(1), connectorTypes: ['Type2'] })), undefined);
    assert.equal((await storage.poi.surface(world)).stations.length, 20);
  });

  it('should follow every write of this connection without a rebuild', async () => {
    const builds = live().builds;
    await f.changeEveryKind(storage, 80);
    assert.ok((await compare(300)) >= 290);
    assert.equal(live().builds, builds, 'kept up by the commit hook');
  });

  it('should not show a write that was rolled back', async () => {
    const s = saved.find((x) => !x.input.deleted && !x.input.isPrivate)!;
    const box: SurfaceQuery = { minLat: s.input.latitude, maxLat: s.input.latitude, minLon: s.input.longitude, maxLon: s.input.longitude, askerPartnerId: s.owner.id, limit: 10 };
    const before = await storage.poi.surface(box);
    assert.ok(before.stations.some((x) => x.id === s.id));
    await assert.rejects(storage.sqlite.write((d) => {
      d.prepare('UPDATE stations SET latitude = latitude + 1 WHERE id = ?').run(s.id);
      d.prepare("UPDATE connectors SET status = 'Offline' WHERE station_id = ?").run(s.id);
      throw new Error('refused');
    }), /refused/);
    assert.deepEqual(namesAsText(await storage.sqlite.read(() => live().answer(box))), namesAsText(before));
    assert.ok((await compare(100)) >= 95);
  });

  it('should show a status post whose batch also holds a failed write, and none of a batch that failed', async () => {
    const [a, b] = saved.filter((x) => !x.input.deleted && !x.input.isPrivate).slice(0, 2);
    const statusOf = async (s: typeof a) => {
      const box: SurfaceQuery = { minLat: s!.input.latitude, maxLat: s!.input.latitude, minLon: s!.input.longitude, maxLon: s!.input.longitude, askerPartnerId: s!.owner.id, limit: 10 };
      const answer = await storage.sqlite.read(() => live().answer(box));
      assert.ok(answer, 'answered from the index');
      return answer.stations.find((x) => x.id === s!.id)!.connectors[0]!.status; // the posted EVSE is the station's first
    };
    const post = (s: typeof a, status: 'Offline' | 'Available') => storage.poi.setStatus(s!.owner.identifier, s!.input.connectors[0]!.evseKey, status, 9_000);
    const [kept, refused] = await Promise.allSettled([post(a, 'Offline'), storage.sqlite.write(() => { throw new Error('refused'); })]);
    assert.deepEqual([kept.status, refused.status], ['fulfilled', 'rejected']);
    assert.equal(await statusOf(a), 'Offline');
    // A batch that does not commit: the status must stay what the database holds.
    const before = await statusOf(b);
    const fail = (_: unknown) => {
      throw new Error('no commit');
    };
    const hooks = (storage.sqlite as unknown as { commitHooks: Array<(d: unknown) => unknown> }).commitHooks;
    hooks.unshift(fail);
    try {
      await assert.rejects(post(b, before === 'Offline' ? 'Available' : 'Offline'));
    } finally {
      hooks.splice(hooks.indexOf(fail), 1);
    }
    assert.equal(await statusOf(b), before);
    assert.ok((await compare(100)) >= 95);
  });

  /** The SQLite storage's source files (migrations included, tests not), relative to src/storage/sqlite, whose text matches. */
  const sourcesMatching = (match: (text: string) => boolean) => {
    const root = join(import.meta.dirname, '..');
    const found: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const f = join(d, e.name);
        if (e.isDirectory()) walk(f);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && match(readFileSync(f, 'utf8'))) found.push(relative(root, f));
      }
    };
    walk(root);
    return found;
  };

  it('should be told every status change: setStatus is the only statement of the SQLite storage that sets a status', () => {
    // The index learns statuses from setStatus alone (no trigger): a second writer would leave it stale.
    const setsStatus = (text: string) =>
      [...text.matchAll(/UPDATE\s+(?:main\.)?connectors\s+SET\s([^;`'"]*)/gi)].some((m) => /\bstatus\s*=/i.test(m[1]!));
    assert.deepEqual(sourcesMatching(setsStatus), ['poi.ts']);
  });

  it('should be told every station created under the hold: station-post is the only writer that holds', () => {
    // The change log does not see rows written while station_post_hold holds a row: save-station's
    // create tells the index itself. A second writer that holds would leave it stale.
    assert.deepEqual(sourcesMatching((text) => /INSERT\s+(?:OR\s+\w+\s+)?INTO\s+(?:main\.)?station_post_hold\b/i.test(text)), ['poi/save-station.ts']);
  });

  it('should drop the index when another connection writes, answer from SQL meanwhile, and rebuild it', async () => {
    const builds = live().builds;
    const s = saved.find((x) => !x.input.deleted && !x.input.isPrivate)!;
    const other = new Database(url.replace(/^sqlite:/, ''));
    try {
      other.prepare('UPDATE stations SET name = ? WHERE id = ?').run('Renamed by the CLI', s.id);
    } finally {
      other.close();
    }
    const box: SurfaceQuery = { minLat: s.input.latitude, maxLat: s.input.latitude, minLon: s.input.longitude, maxLon: s.input.longitude, askerPartnerId: s.owner.id, limit: 10 };
    assert.equal(await storage.sqlite.read(() => live().answer(box)), undefined, 'stale: SQL answers');
    assert.equal((await storage.poi.surface(box)).stations.find((x) => x.id === s.id)?.name, 'Renamed by the CLI');
    await whenReady();
    assert.equal(live().builds, builds + 1);
    assert.equal(namesAsText(await storage.sqlite.read(() => live().answer(box)))?.stations.find((x) => x.id === s.id)?.name, 'Renamed by the CLI');
    assert.ok((await compare(200)) >= 190);
  });
});

describe('surface index and the checkpoint worker', () => {
  it("should keep the index through the worker's checkpoints and WAL rewinds (they do not move data_version)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oioi-surface-ckpt-'));
    const storage = await openSqliteStorage(`sqlite:${join(dir, 'hub.db')}`, { checkpointInWorker: { intervalMs: 10, rewindFrames: 32 } });
    try {
      const cpo = await aPartner(storage, 'ckpt-cpo');
      const inputs = Array.from({ length: 200 }, (_, i) => aStation(cpo, { latitude: 50 + i * 1e-4, longitude: 8, evse: [`DE*CKP*E${i}`] }));
      for (const input of inputs) await storage.poi.saveStation(input);
      const live = (storage.poi as SqlitePoi).live;
      assert.equal((await storage.poi.prepareSurface!()).stations, 200);
      const builds = live.builds;
      const checkpointer = (storage.sqlite as unknown as { checkpointer: { done: { checkpoints: number; rewinds: number } } }).checkpointer;
      for (let round = 0; round < 30; round++) {
        await Promise.all(inputs.map((s, i) => storage.poi.setStatus(cpo.identifier, s.connectors[0]!.evseKey, (i + round) % 2 ? 'Occupied' : 'Available', 10_000 + round)));
        await new Promise((r) => setTimeout(r, 15));
      }
      assert.ok(checkpointer.done.checkpoints > 0 && checkpointer.done.rewinds > 0, JSON.stringify(checkpointer.done));
      const box: SurfaceQuery = { minLat: 49.9, maxLat: 50.1, minLon: 7.9, maxLon: 8.1, askerPartnerId: cpo.id, limit: 300 };
      const fromIndex = await storage.sqlite.read(() => live.answer(box));
      assert.ok(fromIndex, 'the index still answers');
      assert.deepEqual(namesAsText(fromIndex), await storage.sqlite.read(() => new SurfaceQueries(storage.sqlite.db).run(box)));
      assert.equal(live.builds, builds, 'no rebuild');
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
