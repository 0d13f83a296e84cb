/**
 * What only the PostgreSQL engine does: clear errors for bad URLs and lost servers, migrations
 * when several hubs start at once, and status posts of one event-loop turn sharing one statement.
 * The repository behaviour both engines share is in ../contract/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from '../../../test/support/engines.js';
import { startPostgresCluster } from '../../../test/support/postgres.js';
import { OioiError } from '../../protocol/errors.js';
import { openStorage } from '../index.js';
import { Batcher } from './batch.js';
import { openPostgresStorage } from './index.js';

describe('PostgreSQL storage', () => {
  let db: { url: string; drop(): Promise<void> };
  before(async () => {
    db = await freshDatabase('postgres');
  });
  after(() => db.drop());

  it('should refuse a malformed URL and an unreachable server with one line that hides the password', async () => {
    await assert.rejects(openStorage('postgres://user:secret@127.0.0.1:1/oioi'), (e: Error) =>
      /^cannot connect to PostgreSQL at 127\.0\.0\.1:1\/oioi: /.test(e.message) && !e.message.includes('secret') && !e.message.includes('\n'));
    await assert.rejects(openStorage('postgres://user:secret@127.0.0.1:5432'), (e: Error) => /^invalid PostgreSQL URL/.test(e.message) && !e.message.includes('secret'));
    await assert.rejects(openStorage('postgres://bad host/x'), /^Error: invalid PostgreSQL URL/);
  });

  it('should migrate once when several hubs open an empty database at the same moment', async () => {
    const all = await Promise.all([1, 2, 3].map(() => openPostgresStorage(db.url, { poolSize: 2 })));
    try {
      const rows = await all[0]!.pg.query<{ id: number; n: number }>('SELECT id, count(*) AS n FROM schema_migrations GROUP BY id ORDER BY id');
      assert.ok(rows.length >= 9);
      assert.ok(rows.every((r) => r.n === 1));
      assert.deepEqual(await Promise.all(all.map(async (s) => (await s.partners.list()).length)), [0, 0, 0]);
    } finally {
      for (const s of all) await s.close();
    }
  });

  it('should send the status posts of one event-loop turn as one statement, each caller getting its own count', async () => {
    const storage = await openPostgresStorage(db.url);
    try {
      const p = await storage.partners.add({ name: 'cpo', roles: ['cpo'], partnerIdentifiers: ['cpo-identifier-batch1'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
      const connectors = Array.from({ length: 50 }, (_, i) => ({ evseId: `DE*B*E${i}`, evseKey: `DEBE${i}`, type: 'Type2', speed: 22 }));
      await storage.poi.saveStation({ ownerPartnerId: p.id, ownerIdentifier: 'cpo-identifier-batch1', cpoStationId: 'b1', name: 'B', latitude: 1, longitude: 1, isPrivate: false, isFreeCharge: false, deleted: false, data: {}, connectors, at: 1 });
      const pool = storage.pg.pool;
      const original = pool.query.bind(pool);
      let statements = 0;
      (pool as { query: unknown }).query = (...args: unknown[]) => {
        statements++;
        return (original as (...a: unknown[]) => unknown)(...args);
      };
      const counts = await Promise.all([
        ...connectors.map((c) => storage.poi.setStatus('cpo-identifier-batch1', c.evseKey, 'Available', 2)),
        storage.poi.setStatus('someone-else', 'DEBE0', 'Occupied', 2),
      ]);
      (pool as { query: unknown }).query = original;
      assert.deepEqual(counts, [...connectors.map(() => 1), 0]);
      assert.equal(statements, 1);
    } finally {
      await storage.close();
    }
  });

  it('should finish writes queued before close, and refuse new ones after', async () => {
    const storage = await openPostgresStorage(db.url);
    const p = await storage.partners.add({ name: 'cpo2', roles: ['cpo'], partnerIdentifiers: ['cpo-identifier-close1'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
    const saved = await storage.poi.saveStation({ ownerPartnerId: p.id, ownerIdentifier: 'cpo-identifier-close1', cpoStationId: 'c1', name: 'C', latitude: 1, longitude: 1, isPrivate: false, isFreeCharge: false, deleted: false, data: {}, connectors: [{ evseId: 'DE*C*1', evseKey: 'DEC1', type: 'Type2', speed: 22 }], at: 1 });
    const queued = storage.poi.setStatus('cpo-identifier-close1', 'DEC1', 'Occupied', 5);
    await storage.close();
    assert.equal(await queued, 1);
    await assert.rejects(storage.partners.list(), (e: unknown) => e instanceof OioiError && /closed/.test(e.message));
    const again = await openPostgresStorage(db.url);
    const stationId = saved.ok ? saved.stationId! : -1;
    assert.equal((await again.poi.stationsByIds([stationId], p.id))[0]?.connectors[0]?.status, 'Occupied');
    assert.equal((await again.poi.usage(stationId, 6)).lastUsedAt, 5);
    await again.close();
  });

  it('should run a deadlock victim again, so two writers locking rows in opposite orders both commit', async () => {
    const storage = await openPostgresStorage(db.url, { poolSize: 4 });
    try {
      const pgdb = storage.pg;
      await pgdb.query('CREATE TABLE IF NOT EXISTS deadlock_probe (id int PRIMARY KEY, n int NOT NULL)');
      await pgdb.query('INSERT INTO deadlock_probe VALUES (1, 0), (2, 0) ON CONFLICT (id) DO UPDATE SET n = 0');
      let attempts = 0;
      // Each side locks its first row, waits until the other has too, then asks for the other's row:
      // PostgreSQL must abort one of them (40P01); the retry lets it commit after the winner.
      let bothLocked!: () => void;
      const locked = new Promise<void>((r) => (bothLocked = r));
      let lockedCount = 0;
      const writer = (first: number, second: number) => pgdb.tx(async (c) => {
        attempts++;
        await c.query('UPDATE deadlock_probe SET n = n + 1 WHERE id = $1', [first]);
        if (++lockedCount === 2) bothLocked();
        await Promise.race([locked, new Promise((r) => setTimeout(r, 2000))]);
        await c.query('UPDATE deadlock_probe SET n = n + 1 WHERE id = $1', [second]);
      });
      await Promise.all([writer(1, 2), writer(2, 1)]);
      const rows = await pgdb.query<{ id: number; n: number }>('SELECT id, n FROM deadlock_probe ORDER BY id');
      assert.deepEqual(rows.map((r) => r.n), [2, 2]);
      assert.ok(attempts >= 3, `one writer should have been run again (attempts: ${attempts})`);
      await pgdb.query('DROP TABLE deadlock_probe');
    } finally {
      await storage.close();
    }
  });

  it('should answer "storage unavailable" (101, HTTP 503) once the server is gone', async () => {
    const cluster = await startPostgresCluster();
    try {
      const storage = await openStorage(cluster.url);
      await storage.partners.list();
      cluster.stop();
      await assert.rejects(storage.partners.list(), (e: unknown) => e instanceof OioiError && e.code === 101 && e.httpStatus === 503);
      await assert.rejects(storage.poi.setStatus('x', 'y', 'Available', 1), (e: unknown) => e instanceof OioiError && e.code === 101);
      await storage.close();
    } finally {
      cluster.stop();
    }
  });
});

describe('Batcher', () => {
  it('should hand one turn\'s inputs to one run and resolve each caller with its own output', async () => {
    const runs: number[][] = [];
    const b = new Batcher<number, number>(async (xs) => {
      runs.push(xs);
      return xs.map((x) => x * 10);
    });
    assert.deepEqual(await Promise.all([b.push(1), b.push(2), b.push(3)]), [10, 20, 30]);
    assert.deepEqual(await b.push(4), 40);
    assert.deepEqual(runs, [[1, 2, 3], [4]]);
  });

  it('should reject every caller of a failed run, and split big turns', async () => {
    const sizes: number[] = [];
    const failing = new Batcher<number, number>(async () => { throw new Error('down'); });
    const out = await Promise.allSettled([failing.push(1), failing.push(2)]);
    assert.deepEqual(out.map((o) => o.status), ['rejected', 'rejected']);
    const small = new Batcher<number, number>(async (xs) => { sizes.push(xs.length); return xs; }, 2);
    assert.deepEqual(await Promise.all([1, 2, 3, 4, 5].map((x) => small.push(x))), [1, 2, 3, 4, 5]);
    assert.deepEqual(sizes, [2, 2, 1]);
  });
});
