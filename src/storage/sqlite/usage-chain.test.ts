/**
 * station-get-usage's chains on SQLite (migration 930, usage-chain.ts): the migration over rows
 * written before it, a deleted connector's uses, a copy, and walks that never scan the table. The
 * counts themselves are checked on both engines in contract/poi.test.ts.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadMigrations, runMigrations } from './migrate.js';
import { openSqliteStorage } from './index.js';
import { USAGE_COUNTS_SQL } from './usage-chain.js';
import { copyStorage, openDump } from '../copy.js';
import { aPartner, aStation, stationIdOf } from '../contract/test-support/setup.js';

const DAY = 86_400_000;
const NOW = 1_000 * DAY;

/** What the table says without any chain: counts since the bounds and the newest use, by a plain scan. */
function scanned(db: Database.Database, station: number, at: number) {
  return db.prepare(`SELECT coalesce(sum(at >= ?), 0) AS d7, coalesce(sum(at >= ?), 0) AS d30, max(at) AS last FROM station_usage NOT INDEXED WHERE station_id = ?`)
    .get(at - 7 * DAY, at - 30 * DAY, station);
}

const walked = (db: Database.Database, station: number, at: number) => db.prepare(USAGE_COUNTS_SQL).get({ station, d7: at - 7 * DAY, d30: at - 30 * DAY });

describe('usage chains on SQLite (migration 930)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-usage-chain-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  /** Runs `fn` on a storage opened on `file` in this test's folder, and closes it however `fn` ends. */
  async function withStorage(file: string, fn: (storage: Awaited<ReturnType<typeof openSqliteStorage>>) => Promise<void>): Promise<void> {
    const storage = await openSqliteStorage(`sqlite:${join(dir, file)}`);
    try {
      await fn(storage);
    } finally {
      await storage.close();
    }
  }

  it('should chain the uses recorded before it, in time order, and drop the index', async () => {
    const db = new Database(join(dir, 'before.db'));
    try {
      db.exec('CREATE TABLE schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const m of await loadMigrations()) {
        if (m.id >= 930) continue;
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, '');
      }
      // Rows as the old status path wrote them: stations 1 to 5 (no such station rows are needed),
      // times out of insertion order, ties, and uses from 60 days ago to now.
      const insert = db.prepare('INSERT INTO station_usage (station_id, at) VALUES (?, ?)');
      let seed = 7;
      const next = () => (seed = (seed * 48_271) % 2_147_483_647);
      for (let i = 0; i < 2_000; i++) insert.run(1 + (next() % 5), NOW - (next() % (60 * 24)) * 3_600_000);
      insert.run(2, NOW - 7 * DAY);
      insert.run(2, NOW - 7 * DAY);
      assert.deepEqual(await runMigrations(db), ['930-usage-chain']);

      for (const station of [1, 2, 3, 4, 5, 6]) {
        for (const at of [NOW, NOW - 20 * DAY, NOW + 10 * DAY]) assert.deepEqual(walked(db, station, at), scanned(db, station, at), `station ${station} at ${at}`);
      }
      assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'station_usage_station'").pluck().get(), 0);
      assert.equal(db.prepare('SELECT count(DISTINCT station_id) || \'/\' || count(*) FROM station_usage_heads').pluck().get(), '5/5', 'one chain per station');
    } finally {
      db.close();
    }
  });

  it('should keep the uses a deleted connector held as its station\'s newest', async () => {
    await withStorage('delete.db', async (storage) => {
      const cpo = await aPartner(storage, 'usage');
      const station = stationIdOf(await storage.poi.saveStation(aStation(cpo, { evse: ['DE*8PS*EV1', 'DE*8PS*EV2'] })));
      await storage.poi.setStatus(cpo.identifier, 'DE8PSEV2', 'Occupied', NOW - 2 * DAY);
      await storage.poi.setStatus(cpo.identifier, 'DE8PSEV1', 'Occupied', NOW - DAY);
      const before = await storage.poi.usage(station, NOW);
      assert.deepEqual(before, { last7Days: 2, last30Days: 2, lastUsedAt: NOW - DAY });
      // No station post removes a connector (its set may not change), but any DELETE must lose no use.
      storage.sqlite.db.prepare("DELETE FROM connectors WHERE evse_key = 'DE8PSEV1'").run();
      assert.deepEqual(await storage.poi.usage(station, NOW), before);
      await storage.poi.setStatus(cpo.identifier, 'DE8PSEV2', 'Available', NOW);
      await storage.poi.setStatus(cpo.identifier, 'DE8PSEV2', 'Occupied', NOW);
      assert.deepEqual(await storage.poi.usage(station, NOW), { last7Days: 3, last30Days: 3, lastUsedAt: NOW });
    });
  });

  it('should carry the uses through a copy, without the chains\' own columns, and chain new ones after it', async () => {
    const source = await openSqliteStorage(`sqlite:${join(dir, 'source.db')}`);
    const cpo = await aPartner(source, 'copy');
    const station = stationIdOf(await source.poi.saveStation(aStation(cpo, { evse: ['DE*8PS*EW1', 'DE*8PS*EW2'] })));
    for (let d = 40; d >= 1; d -= 3) {
      await source.poi.setStatus(cpo.identifier, d % 2 ? 'DE8PSEW1' : 'DE8PSEW2', 'Occupied', NOW - d * DAY);
      await source.poi.setStatus(cpo.identifier, d % 2 ? 'DE8PSEW1' : 'DE8PSEW2', 'Available', NOW - d * DAY + 1);
    }
    const expected = await source.poi.usage(station, NOW);
    assert.deepEqual(expected, { last7Days: 3, last30Days: 10, lastUsedAt: NOW - DAY });
    await source.close();

    const from = await openDump(`sqlite:${join(dir, 'source.db')}`, { mustExist: true });
    const to = await openDump(`sqlite:${join(dir, 'target.db')}`, { mustExist: false });
    try {
      const tables = await from.tables();
      assert.deepEqual(tables.find((t) => t.name === 'station_usage')?.columns.map((c) => c.name), ['station_id', 'at']);
      assert.ok(!tables.find((t) => t.name === 'connectors')?.columns.some((c) => c.name === 'usage_head'));
      assert.equal(tables.find((t) => t.name === 'station_usage_heads')?.derived, true);
      await copyStorage(from, to);
    } finally {
      await from.close();
      await to.close();
    }
    await withStorage('target.db', async (target) => {
      assert.deepEqual(await target.poi.usage(station, NOW), expected);
      await target.poi.setStatus(cpo.identifier, 'DE8PSEW1', 'Occupied', NOW);
      assert.deepEqual(await target.poi.usage(station, NOW), { last7Days: 4, last30Days: 11, lastUsedAt: NOW });
    });
  });

  it('should find a station\'s uses by row ids and its connectors\' index, never by scanning a table', async () => {
    await withStorage('plans.db', async (storage) => {
      const db = storage.sqlite.db;
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${USAGE_COUNTS_SQL}`).all({ station: 1, d7: 0, d30: 0 }) as Array<{ detail: string }>).map((r) => r.detail);
      const scans = plan.filter((d) => /^SCAN (station_usage|connectors|station_usage_heads|u)\b/.test(d));
      assert.deepEqual(scans, [], plan.join('\n'));
    });
  });
});
