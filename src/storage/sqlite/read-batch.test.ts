/** SqliteDatabase.read: the reads of one event-loop turn share one read-only transaction. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openSqlite, type SqliteDatabase } from './database.js';

describe('SqliteDatabase.read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-read-'));
  const path = join(dir, 'r.db');
  let db: SqliteDatabase;
  before(async () => {
    db = await openSqlite(`sqlite:${path}`);
    await db.write((d) => d.exec('CREATE TABLE t (x INTEGER)'));
    await db.write((d) => d.prepare('INSERT INTO t VALUES (1)').run());
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const count = (d: Database.Database) => d.prepare('SELECT count(*) FROM t').pluck().get() as number;

  it('should run the reads of one turn in one transaction: one snapshot for all of them', async () => {
    const other = new Database(path);
    try {
      const first = db.read((d) => {
        const n = count(d); // the snapshot starts here
        other.prepare('INSERT INTO t VALUES (2)').run(); // committed by another connection meanwhile
        return n;
      });
      const second = db.read((d) => [d.inTransaction, count(d)] as const);
      assert.equal(await first, 1);
      assert.deepEqual(await second, [true, 1], 'the second read of the turn still sees the first one\'s snapshot');
      assert.equal(await db.read(count), 2, 'a read of the next turn sees the other connection\'s commit');
    } finally {
      other.close();
    }
  });

  it('should refuse a write inside a read and a failing read alone, and leave the connection writable', async () => {
    const results = await Promise.allSettled([
      db.read(count),
      db.read((d) => d.prepare('INSERT INTO t VALUES (3)').run()),
      db.read((d) => d.prepare('SELECT nope FROM t').get()),
      db.read(count),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /readonly/);
    assert.equal(await db.read(count), 2, 'the write in a read changed nothing');
    await db.write((d) => d.prepare('INSERT INTO t VALUES (4)').run());
    assert.equal(await db.read(count), 3);
  });

  it('should see a write acknowledged before it, and reject reads once closed', async () => {
    const other = await openSqlite(`sqlite:${join(dir, 'closed.db')}`);
    await other.write((d) => d.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7)'));
    const pending = other.read(count);
    await other.close();
    assert.equal(await pending, 1, 'a read queued before close still runs');
    await assert.rejects(other.read(count), (e: { code?: number }) => e.code === 100);
  });
});
