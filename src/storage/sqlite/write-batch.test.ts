/**
 * How SqliteDatabase runs a batch of writes: without savepoints while every write succeeds (a
 * savepoint copies each page its write touches into the statement journal), and, once one throws,
 * rolled back and run again with a savepoint per write, so the failing write alone is undone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/cli.js';
import { openSqlite, type SqliteDatabase } from './database.js';
import { openSqliteStorage } from './index.js';

/** Counts the savepoints the database opens (white box: the statement it runs for each). */
function countSavepoints(db: SqliteDatabase): { readonly n: number } {
  const stmt = (db as unknown as { savepoint: { run: () => unknown } }).savepoint;
  const run = stmt.run.bind(stmt);
  const counter = { n: 0 };
  stmt.run = () => (counter.n++, run());
  return counter;
}

describe('SqliteDatabase write batches', () => {
  const tmp = tempDir();
  let db: SqliteDatabase;
  let savepoints: { readonly n: number };
  before(async () => {
    db = await openSqlite(`sqlite:${join(tmp.dir, 'batch.db')}`);
    await db.write((d) => d.exec('CREATE TABLE t (x INTEGER UNIQUE)'));
    savepoints = countSavepoints(db);
  });
  after(async () => {
    await db.close();
    tmp.remove();
  });

  const rows = () => db.db.prepare('SELECT x FROM t ORDER BY x').pluck().all();

  it('should run each write of a batch once, without a savepoint, when none fails', async () => {
    const runs = [0, 0, 0];
    const before = savepoints.n;
    const out = await Promise.all([1, 2, 3].map((x, i) => db.write((d) => (runs[i]!++, d.prepare('INSERT INTO t VALUES (?)').run(x).changes))));
    assert.deepEqual(out, [1, 1, 1]);
    assert.deepEqual(runs, [1, 1, 1]);
    assert.equal(savepoints.n - before, 0);
    assert.deepEqual(rows(), [1, 2, 3]);
  });

  it('should undo only the write that threw, run the others again, and answer them from the run that committed', async () => {
    const runs = [0, 0, 0];
    const seen: string[] = [];
    const before = savepoints.n;
    const write = (i: number, x: number) =>
      db.write((d, afterCommit) => {
        const run = ++runs[i]!;
        d.prepare('INSERT INTO t VALUES (?)').run(x);
        afterCommit(() => seen.push(`${x} after run ${run}`));
        return run;
      });
    const out = await Promise.allSettled([write(0, 10), write(1, 1) /* taken: throws */, write(2, 11)]);
    assert.deepEqual(out.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((out[1] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.deepEqual(runs, [2, 2, 1], 'the first two ran again, the last ran only in the second run');
    assert.deepEqual([(out[0] as PromiseFulfilledResult<number>).value, (out[2] as PromiseFulfilledResult<number>).value], [2, 1]);
    assert.deepEqual(seen, ['10 after run 2', '11 after run 1'], 'AfterCommit of the run that committed only');
    assert.equal(savepoints.n - before, 3, 'the second run isolates each write');
    assert.deepEqual(rows(), [1, 2, 3, 10, 11]);
  });

  it('should reject a lone write that threw with its own error, keep nothing of it, and stay writable', async () => {
    const before = savepoints.n;
    await assert.rejects(
      db.write((d) => {
        d.prepare('INSERT INTO t VALUES (?)').run(20);
        throw new Error('refused after writing');
      }),
      /refused after writing/,
    );
    assert.equal(savepoints.n - before, 0, 'a batch of one is rolled back whole, not run again');
    assert.equal(db.db.inTransaction, false);
    assert.deepEqual(rows(), [1, 2, 3, 10, 11]);
    await db.write((d) => d.prepare('INSERT INTO t VALUES (?)').run(21));
    assert.deepEqual(rows(), [1, 2, 3, 10, 11, 21]);
  });
});

describe('SqliteDatabase with rehearseWrites (tests)', () => {
  const tmp = tempDir();
  after(() => tmp.remove());

  it('should run every batch twice and commit the second run, so a write that cannot run again fails', async () => {
    const db = await openSqlite(`sqlite:${join(tmp.dir, 'rehearsed.db')}`, { rehearseWrites: true });
    try {
      await db.write((d) => d.exec('CREATE TABLE t (x INTEGER)'));
      let runs = 0;
      assert.equal(await db.write((d) => (++runs, d.prepare('INSERT INTO t VALUES (1)').run().changes)), 1);
      assert.equal(runs, 2);
      assert.deepEqual(db.db.prepare('SELECT x FROM t').pluck().all(), [1], 'the first run was rolled back');
      // A write that takes its input from memory on each run, and finds it gone the second time.
      const queue = [2];
      await assert.rejects(
        db.write((d) => {
          const x = queue.shift();
          if (x === undefined) throw new Error('nothing left to write');
          d.prepare('INSERT INTO t VALUES (?)').run(x);
        }),
        (e: { code?: number; message?: string }) => e.code === 101 && /only when run again: nothing left to write/.test(e.message ?? ''),
      );
      assert.deepEqual(db.db.prepare('SELECT x FROM t').pluck().all(), [1]);
    } finally {
      await db.close();
    }
  });
});

describe('SqliteOutbox delivered marks in a batch run again', () => {
  const tmp = tempDir();
  let storage: Awaited<ReturnType<typeof openSqliteStorage>>;
  before(async () => {
    storage = await openSqliteStorage(`sqlite:${join(tmp.dir, 'marks.db')}`);
  });
  after(async () => {
    await storage.close();
    tmp.remove();
  });

  it('should record every mark when another write of the batch threw', async () => {
    const emp = await storage.partners.add({ name: 'emp', roles: ['emp'], partnerIdentifiers: ['emp-identifier-0000000'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
    const ids = await storage.outbox.enqueue([1, 2].map((n) => ({ partnerId: emp.id, call: 'session-post', payload: { n } })), 1_000);
    const [marked, failed] = await Promise.allSettled([
      Promise.all(ids.map((id) => storage.outbox.markDelivered(id, 2_000, 0))),
      storage.sqlite.write(() => { throw new Error('another write of the batch fails'); }),
    ]);
    assert.equal(marked.status, 'fulfilled');
    assert.equal(failed.status, 'rejected');
    const states = storage.sqlite.db.prepare(`SELECT state FROM outbox WHERE id IN (${ids.join(',')})`).pluck().all();
    assert.deepEqual(states, ['delivered', 'delivered']);
  });
});
