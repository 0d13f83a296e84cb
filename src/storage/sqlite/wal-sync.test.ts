/** Group commit: answers wait for an fsync that began after their COMMIT, and commits share fsyncs. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqlite } from './database.js';
import { WalSync } from './wal-sync.js';

describe('WAL group commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-wal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should run SQLite with synchronous=NORMAL and answer writes only after our fsync', async () => {
    const db = await openSqlite(`sqlite:${join(dir, 'a.db')}`);
    try {
      assert.equal(db.db.pragma('synchronous', { simple: true }), 1, 'NORMAL: the fsync is ours');
      const wal = (db as unknown as { wal: WalSync }).wal;
      let synced = 0;
      const original = wal.afterCommit.bind(wal);
      wal.afterCommit = (done) => original((err) => { synced++; done(err); });
      await db.write((d) => d.exec('CREATE TABLE t (x INTEGER)'));
      const writes = Array.from({ length: 20 }, (_, i) => db.write((d) => d.prepare('INSERT INTO t VALUES (?)').run(i)));
      await Promise.all(writes);
      assert.equal(synced, 2, 'one fsync wait per batch: the CREATE, then the 20 inserts of one turn');
      assert.equal(db.db.prepare('SELECT count(*) FROM t').pluck().get(), 20);
    } finally {
      await db.close();
    }
  });

  it('should let commits made while an fsync runs share the next one, in order', async () => {
    const db = await openSqlite(`sqlite:${join(dir, 'b.db')}`);
    await db.write((d) => d.exec('CREATE TABLE t (x INTEGER)'));
    const wal = new WalSync(join(dir, 'b.db-wal'));
    const order: string[] = [];
    wal.afterCommit(() => order.push('first'));
    wal.afterCommit(() => order.push('second'));
    wal.afterCommit(() => order.push('third'));
    await wal.close();
    assert.deepEqual(order, ['first', 'second', 'third']);
    await db.close();
  });

  it('should report an fsync that cannot happen to every waiting caller', async () => {
    const wal = new WalSync(join(dir, 'missing.db-wal'));
    const errors: unknown[] = [];
    await new Promise<void>((resolve) => wal.afterCommit((e) => { errors.push(e); resolve(); }));
    assert.equal((errors[0] as NodeJS.ErrnoException)?.code, 'ENOENT');
    await wal.close();
  });

  it('should reject a write whose fsync failed with 101 (storage unavailable), so nothing is acknowledged', async () => {
    const db = await openSqlite(`sqlite:${join(dir, 'c.db')}`);
    try {
      await db.write((d) => d.exec('CREATE TABLE t (x INTEGER)'));
      const wal = (db as unknown as { wal: WalSync }).wal;
      const original = wal.afterCommit.bind(wal);
      wal.afterCommit = (done) => original(() => done(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' })));
      await assert.rejects(db.write((d) => d.prepare('INSERT INTO t VALUES (1)').run()), (e: { code?: number }) => e.code === 101);
      wal.afterCommit = original;
    } finally {
      await db.close();
    }
  });

  it('should hold writes queued while an fsync runs and commit them together once it ends', async () => {
    const db = await openSqlite(`sqlite:${join(dir, 'd.db')}`);
    try {
      await db.write((d) => d.exec('CREATE TABLE t (x INTEGER)'));
      const wal = (db as unknown as { wal: WalSync }).wal;
      // Each fsync lasts until the test lets it end.
      const releases: Array<() => void> = [];
      const held = wal as unknown as { syncFile: (fd: number, done: (e: null) => void) => void };
      const real = held.syncFile;
      held.syncFile = (fd, done) => releases.push(() => real(fd, done));
      let commits = 0;
      const counting = db.db.prepare('INSERT INTO t VALUES (?)');
      const write = (i: number) => db.write(() => (commits++, counting.run(i)));
      const first = write(0);
      await until(() => releases.length === 1);
      // Three event-loop turns of writes while the first batch's fsync is in flight.
      const later: Array<Promise<unknown>> = [];
      for (let turn = 1; turn <= 3; turn++) {
        later.push(write(turn));
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(db.db.prepare('SELECT count(*) FROM t').pluck().get(), 1, 'nothing committed while the fsync runs');
      releases.shift()!();
      await first;
      await until(() => releases.length === 1);
      assert.equal(db.db.prepare('SELECT count(*) FROM t').pluck().get(), 4, 'the three held writes in one transaction');
      releases.shift()!();
      await Promise.all(later);
      assert.equal(commits, 4);
      held.syncFile = real;
    } finally {
      await db.close();
    }
  });

  it('should count the write path busy from a queued write until its fsync ends, and idle otherwise', async () => {
    const db = await openSqlite(`sqlite:${join(dir, 'e.db')}`);
    try {
      await db.write((d) => d.exec('CREATE TABLE t (x INTEGER)'));
      const idle0 = db.writeBusyMs();
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(db.writeBusyMs(), idle0, 'nothing queued: no busy time');
      const wal = (db as unknown as { wal: WalSync }).wal;
      const releases: Array<() => void> = [];
      const held = wal as unknown as { syncFile: (fd: number, done: (e: null) => void) => void };
      const real = held.syncFile;
      held.syncFile = (fd, done) => releases.push(() => real(fd, done));
      const first = db.write((d) => d.prepare('INSERT INTO t VALUES (1)').run());
      await until(() => releases.length === 1);
      const during0 = db.writeBusyMs();
      await new Promise((r) => setTimeout(r, 40));
      assert.ok(db.writeBusyMs() - during0 >= 35, 'an fsync in flight counts as busy');
      const second = db.write((d) => d.prepare('INSERT INTO t VALUES (2)').run()); // held behind the first fsync
      releases.shift()!();
      await first;
      await until(() => releases.length === 1);
      const stillBusy = db.writeBusyMs();
      await new Promise((r) => setTimeout(r, 20));
      assert.ok(db.writeBusyMs() > stillBusy, 'the second write keeps the path busy');
      releases.shift()!();
      await second;
      held.syncFile = real;
      const end = db.writeBusyMs();
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(db.writeBusyMs(), end, 'idle again once every fsync ended');
      assert.ok(end - idle0 >= 55);
    } finally {
      await db.close();
    }
  });
});

async function until(ok: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
