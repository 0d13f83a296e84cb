/** WAL checkpoints on a worker thread: the writer's commits never copy pages or fsync the database file. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqlite, type SqliteDatabase } from './database.js';
import type { Checkpointer } from './checkpointer.js';

const checkpointerOf = (db: SqliteDatabase) => (db as unknown as { checkpointer: Checkpointer }).checkpointer;

/** Writes `batches` transactions of 50 rows of 1 KB each (about 13 WAL frames per transaction). */
async function load(db: SqliteDatabase, batches: number, from = 0): Promise<void> {
  const insert = db.db.prepare('INSERT INTO t (id, v) VALUES (?, randomblob(1000))');
  for (let b = 0; b < batches; b++) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => db.write(() => insert.run(from + b * 50 + i))));
  }
}

describe('WAL checkpoints on a worker thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-ckpt-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should checkpoint from the worker while the writer commits, and keep the WAL short', async () => {
    const path = join(dir, 'a.db');
    // The timer is off: each round's checkpoint runs alongside that round's commits, so what the
    // WAL may hold does not depend on how fast this machine is.
    const db = await openSqlite(`sqlite:${path}`, { checkpointInWorker: { intervalMs: 60_000, rewindFrames: 100 } });
    try {
      await db.write((d) => d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)'));
      assert.equal(db.db.pragma('wal_autocheckpoint', { simple: true }), 200_000, "the writer's own checkpoint is only a backstop");
      const c = checkpointerOf(db);
      for (let round = 0; round < 80; round++) await Promise.all([load(db, 1, round * 50), c.tick()]);
      assert.equal(c.lastError, undefined);
      assert.ok(c.done.checkpoints >= 40, `checkpoints ${c.done.checkpoints}`);
      // 80 transactions of about 13 frames were written: without checkpoints the WAL would hold them
      // all (over 1,000 frames); with them it is rewound once past 100 frames.
      const walFrames = Math.floor((statSync(`${path}-wal`).size - 32) / (4096 + 24));
      assert.ok(walFrames < 300, `the WAL was reused from its start, ${walFrames} frames long`);
    } finally {
      await db.close();
    }
    const again = await openSqlite(`sqlite:${path}`);
    assert.equal(again.db.prepare('SELECT count(*) FROM t').pluck().get(), 4000);
    await again.close();
  });

  it('should checkpoint on its timer once something was committed', async () => {
    const db = await openSqlite(`sqlite:${join(dir, 't.db')}`, { checkpointInWorker: { intervalMs: 10 } });
    try {
      await db.write((d) => d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)'));
      await load(db, 2);
      await until(() => checkpointerOf(db).done.checkpoints >= 1, 20_000);
    } finally {
      await db.close();
    }
  });

  it('should not keep a process alive that never closes its database', () => {
    // A worker whose port has a listener is referenced again; the Checkpointer unrefs it after.
    const code = `import { openSqlite } from ${JSON.stringify(new URL('./database.ts', import.meta.url).href)};
      const db = await openSqlite(${JSON.stringify(`sqlite:${join(dir, 'open.db')}`)}, { checkpointInWorker: { intervalMs: 60_000 } });
      await db.write((d) => d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
      const c = db.checkpointer;
      await c.tick(); // one reply received: the worker was referenced while it was awaited
      console.log(c.done.checkpoints, c.lastError ?? 'left open');`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.signal, null, 'the process had to be killed: something kept it alive');
    assert.equal(child.stdout.trim(), '1 left open', child.stderr);
    assert.equal(child.status, 0);
  });

  it('should hold the writer while it copies the rest of a long WAL that commits kept it from finishing', async () => {
    const db = await openSqlite(`sqlite:${join(dir, 'h.db')}`, { checkpointInWorker: { intervalMs: 60_000, rewindFrames: 100 } });
    await db.write((d) => d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)'));
    const c = checkpointerOf(db);
    // The first (concurrent) checkpoint reports a long WAL it could not finish; the second is held open by the test.
    let finishSecond!: () => void;
    const calls: string[] = [];
    (c as unknown as { checkpoint: () => Promise<unknown> }).checkpoint = () => {
      calls.push(calls.length === 0 ? 'concurrent' : 'to the end');
      if (calls.length === 1) return Promise.resolve({ busy: 0, log: 500, checkpointed: 120 });
      return new Promise((r) => (finishSecond = () => r({ busy: 0, log: 520, checkpointed: 520 })));
    };
    const ticked = c.tick();
    await until(() => calls.length === 2);
    assert.equal(c.hold, true);
    const held = db.write((d) => d.prepare('INSERT INTO t (id) VALUES (1)').run());
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(db.db.prepare('SELECT count(*) FROM t').pluck().get(), 0, 'no transaction while the WAL is copied to its end');
    finishSecond();
    await ticked;
    await held;
    assert.equal(c.hold, false);
    assert.equal(c.done.rewinds, 1);
    assert.equal(db.db.prepare('SELECT count(*) FROM t').pluck().get(), 1);
    await db.close();
  });

  it('should copy without holding while a pass took long, and hold the writer only for the last few frames', async () => {
    const db = await openSqlite(`sqlite:${join(dir, 'k.db')}`, { checkpointInWorker: { intervalMs: 60_000, rewindFrames: 100, catchUpMs: 50 } });
    try {
      await db.write((d) => d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)'));
      const c = checkpointerOf(db);
      /** Whether the writer was held at each pass, given how long each pass takes (ms). */
      const passes = async (took: number[]): Promise<boolean[]> => {
        const held: boolean[] = [];
        (c as unknown as { checkpoint: () => Promise<unknown> }).checkpoint = () => {
          held.push(c.hold);
          const result = { busy: 0, log: 500, checkpointed: 500 };
          const ms = took[held.length - 1] ?? 0;
          return ms === 0 ? Promise.resolve(result) : new Promise((r) => setTimeout(() => r(result), ms));
        };
        c.committed();
        await c.tick();
        return held;
      };
      // Two long passes, then a short one: the held pass comes after the short one.
      assert.deepEqual(await passes([100, 100, 0]), [false, false, false, true]);
      // A quick first pass goes straight to the held one (as before).
      assert.deepEqual(await passes([0]), [false, true]);
      // Passes that stay long: at most four more without holding, then the held one.
      assert.deepEqual(await passes([100, 100, 100, 100, 100, 100, 100]), [false, false, false, false, false, true]);
      assert.equal(c.hold, false);
    } finally {
      await db.close();
    }
  });

  it('should leave checkpoints to SQLite when off (tools), and close cleanly when on', async () => {
    const tool = await openSqlite(`sqlite:${join(dir, 'b.db')}`);
    assert.equal(tool.db.pragma('wal_autocheckpoint', { simple: true }), 1000);
    assert.equal(checkpointerOf(tool), undefined);
    await tool.close();
    const server = await openSqlite(`sqlite:${join(dir, 'c.db')}`, { checkpointInWorker: true });
    await server.write((d) => d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)'));
    await load(server, 2);
    await server.close();
    await assert.rejects(server.write(() => 1), (e: { code?: number }) => e.code === 100);
  });
});

async function until(ok: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
