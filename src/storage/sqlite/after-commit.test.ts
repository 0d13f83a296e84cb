/**
 * SqliteDatabase.write's AfterCommit: what a write registers runs once its batch committed, never
 * for a write that threw nor for a batch that did not commit. The in-memory surface learns status
 * changes this way (surface-live.ts), so a lost or extra call would show a wrong status on the map.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqlite, type SqliteDatabase } from './database.js';

describe('SqliteDatabase.write with AfterCommit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-after-commit-'));
  let db: SqliteDatabase;
  let failNextBatch = false;
  before(async () => {
    db = await openSqlite(`sqlite:${join(dir, 'a.db')}`);
    await db.write((d) => d.exec('CREATE TABLE t (x INTEGER)'));
    // A commit hook that throws makes its batch roll back as a failed COMMIT would.
    db.onCommit(() => {
      if (!failNextBatch) return undefined;
      failNextBatch = false;
      throw new Error('the batch does not commit');
    });
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (x: number, seen: string[], fail = false) =>
    db.write((d, afterCommit) => {
      d.prepare('INSERT INTO t VALUES (?)').run(x);
      afterCommit(() => seen.push(`${x}: ${d.prepare('SELECT count(*) FROM t WHERE x = ?').pluck().get(x)} row`));
      if (fail) throw new Error(`write ${x} refused`);
      return x;
    });

  it('should run what each write registered after the COMMIT, in write order, before the writes resolve', async () => {
    const seen: string[] = [];
    const done = Promise.all([insert(1, seen), insert(2, seen)]);
    assert.deepEqual(seen, [], 'nothing runs before the batch');
    assert.deepEqual(await done, [1, 2]);
    assert.deepEqual(seen, ['1: 1 row', '2: 1 row']);
    assert.equal(db.db.inTransaction, false);
  });

  it('should run nothing of a write that threw, and what the other writes of its batch registered', async () => {
    const seen: string[] = [];
    const results = await Promise.allSettled([insert(3, seen), insert(4, seen, true), insert(5, seen)]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(seen, ['3: 1 row', '5: 1 row']);
    assert.equal(db.db.prepare('SELECT count(*) FROM t WHERE x = 4').pluck().get(), 0);
  });

  it('should run nothing of a batch that did not commit, and keep nothing of it for the next batch', async () => {
    const seen: string[] = [];
    failNextBatch = true;
    const failed = await Promise.allSettled([insert(6, seen), insert(7, seen)]);
    assert.deepEqual(failed.map((r) => r.status), ['rejected', 'rejected']);
    assert.deepEqual(seen, []);
    await insert(8, seen);
    assert.deepEqual(seen, ['8: 1 row']);
    assert.equal(db.db.prepare('SELECT count(*) FROM t WHERE x IN (6, 7)').pluck().get(), 0);
  });
});
