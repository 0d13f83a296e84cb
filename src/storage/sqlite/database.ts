/**
 * The SQLite connection of a hub: WAL, and a write queue that commits every write of one
 * event-loop turn in one transaction. Callers get their promise resolved only after the COMMIT
 * and an fsync of the WAL that began after it, so an answered request is on disk
 * (shared/protocol.md, "Durability"). See `WalSync` for why the fsync is ours and not SQLite's.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { dirname } from 'node:path';
import { WalSync } from './wal-sync.js';
import { Checkpointer, type CheckpointerOptions } from './checkpointer.js';
import { OioiError } from '../../protocol/errors.js';
import { runMigrations } from './migrate.js';

export type Db = Database.Database;

/**
 * Writes (or reads) per transaction at most: a backlog after a slow fsync commits in slices, not
 * in one long stall, and a burst of reads does not hold one snapshot long.
 */
const MAX_BATCH = 1000;

/**
 * Runs inside a write batch's transaction just before its COMMIT; what it returns runs once that
 * COMMIT succeeded (never after a rollback). For caches of the database kept in memory.
 */
export type CommitHook = (db: Db) => (() => void) | undefined;

/**
 * Given to a write's fn: registers `then` to run once the batch holding that write committed,
 * never when the write threw (it was rolled back) or the batch did not commit, and once for a
 * write that ran twice (flush: only the run that commits counts). For caches
 * of the database kept in memory, told by the writer itself what it changed.
 */
export type AfterCommit = (then: () => void) => void;

/** What one run of a batch's writes gave: each write's outcome, in order, and what runs after the COMMIT. */
interface BatchRun {
  outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }>;
  committed: Array<() => void>;
}

/** A run without savepoints that a write ended by throwing `error`. */
class Failed {
  constructor(readonly error: unknown) {}
}

interface Pending<Fn = (db: Db) => unknown> {
  fn: Fn;
  resolve: (value: any) => void;
  reject: (err: unknown) => void;
}

/** A write waiting in the queue. */
type QueuedWrite = Pending<(db: Db, afterCommit: AfterCommit) => unknown>;

/** Options of `openSqlite`. */
export interface SqliteOptions {
  /** Milliseconds to wait for another process's write lock (the CLI writes to the same file). */
  busyTimeoutMs?: number;
  /** Skip migrations (tools that only read). */
  migrate?: boolean;
  /**
   * Checkpoint the WAL on a worker thread instead of inside commits (long-running servers: the
   * hub). Off for short-lived tools, which would pay a thread for nothing.
   */
  checkpointInWorker?: boolean | CheckpointerOptions;
  /**
   * Tests: run every write batch twice, rolling the first run back, so a write whose fn cannot
   * run again (it consumed state of its own, or did work outside the database) shows up in any
   * test that writes. The hub runs a batch again only after a write threw (`write`).
   */
  rehearseWrites?: boolean;
}

/**
 * WAL pages after which the writer checkpoints itself when the worker has not (a backstop). Far
 * above what the worker lets the WAL reach: it rewinds the WAL past 16,384 frames at its next
 * tick, 2 s at most, and a CDR load of 5,600 a second at about five frames each writes about
 * 28,000 a second. A backstop that fired under load would copy the WAL on the event loop, the
 * stall the worker exists to avoid (at 50,000 it could have).
 */
const BACKSTOP_FRAMES = 200_000;

/**
 * One SQLite database with batched durable writes.
 * Example: `const db = await openSqlite('./data/oioi.db'); await db.write((d) => d.prepare(...).run())`.
 */
export class SqliteDatabase {
  readonly db: Db;
  private readonly queue: QueuedWrite[] = [];
  private scheduled = false;
  private readonly reads: Pending[] = [];
  private readScheduled = false;
  private closed = false;
  private readonly begin: Database.Statement;
  private readonly beginRead: Database.Statement;
  private readonly queryOnly: Database.Statement;
  private readonly queryAny: Database.Statement;
  private readonly commit: Database.Statement;
  private readonly savepoint: Database.Statement;
  private readonly release: Database.Statement;
  private readonly rollbackTo: Database.Statement;
  /** Undefined for ':memory:' (nothing to make durable). */
  private readonly wal: WalSync | undefined;
  private readonly checkpointer: Checkpointer | undefined;
  private readonly commitHooks: CommitHook[] = [];
  /** Since when writes have been queued, committing or waiting for their fsync (undefined: idle). */
  private busyFrom: number | undefined;
  /** Milliseconds of such busy periods that have ended. */
  private busyTotal = 0;

  /** SqliteOptions.rehearseWrites. */
  private readonly rehearse: boolean;

  constructor(path: string, { busyTimeoutMs = 5000, checkpointInWorker = false, rehearseWrites = false }: SqliteOptions = {}) {
    this.rehearse = rehearseWrites;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // NORMAL: SQLite writes the WAL at COMMIT without fsync (and still syncs around checkpoints);
    // WalSync fsyncs it off the main thread before anyone is answered. FULL would block the event
    // loop for the whole fsync of every batch (7 ms median, 56 ms p99 on the benchmark machine).
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    this.db.pragma('cache_size = -65536');
    // A write run in a savepoint (flush: after another write of its batch threw) keeps a statement
    // journal, which SQLite otherwise keeps in a temporary file: in memory, a station-post's storage
    // work took half the time (227 -> 103 µs) when every write ran in one.
    this.db.pragma('temp_store = MEMORY');
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.beginRead = this.db.prepare('BEGIN');
    this.queryOnly = this.db.prepare('PRAGMA query_only = 1');
    this.queryAny = this.db.prepare('PRAGMA query_only = 0');
    this.commit = this.db.prepare('COMMIT');
    this.savepoint = this.db.prepare('SAVEPOINT w');
    this.release = this.db.prepare('RELEASE w');
    this.rollbackTo = this.db.prepare('ROLLBACK TO w');
    this.wal = path === ':memory:' ? undefined : new WalSync(`${path}-wal`);
    if (checkpointInWorker && path !== ':memory:') {
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_FRAMES}`);
      this.checkpointer = new Checkpointer(path, checkpointInWorker === true ? {} : checkpointInWorker);
    }
  }

  /**
   * Queues a write. Writes run in one transaction per batch, and resolve after the COMMIT and the
   * WAL fsync; a write that throws rolls back only itself (see `flush`). `fn` must be safe to run
   * again: when another write of its batch throws, the batch is rolled back and run once more, so
   * `fn` keeps its effects in the database and in AfterCommit, and takes any state it consumes
   * only on its first run (the rollback restores the database, not memory).
   * A batch is what was queued up to the next event-loop turn, or, while the previous batch's
   * fsync runs, everything queued until that fsync ends: those writers would wait for the next
   * fsync anyway, so one larger transaction answers them as soon and costs far less than many.
   * `fn` may register work for after the COMMIT with its second argument (AfterCommit).
   * Example: `const id = await db.write((d) => d.prepare('INSERT …').run().lastInsertRowid)`.
   */
  write<T>(fn: (db: Db, afterCommit: AfterCommit) => T): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    this.busyFrom ??= performance.now();
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Milliseconds the durable write path has been busy since the connection opened: some write
   * queued, in its transaction, or waiting for its fsync. Its growth over a sample is the write
   * path's utilization, which the event loop's does not show when the hub waits for fsyncs.
   * Example: `const t = db.writeBusyMs(); await sleep(50); const busy = (db.writeBusyMs() - t) / 50`.
   */
  writeBusyMs(): number {
    return this.busyTotal + (this.busyFrom === undefined ? 0 : performance.now() - this.busyFrom);
  }

  /** Ends a busy period once nothing is queued, scheduled or waiting for an fsync. */
  private idleIfDone(): void {
    if (this.busyFrom === undefined || this.queue.length || this.scheduled || this.wal?.syncing) return;
    this.busyTotal += performance.now() - this.busyFrom;
    this.busyFrom = undefined;
  }

  /** Flushes on the next turn, or once the fsync in flight (or a WAL rewind) is done. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.whenWritable(() => this.flush()));
  }

  /**
   * Runs `fn` now when no fsync is in flight and the checkpointer does not hold the writer, else
   * on a later turn once both are done: after the fsync's own callers were answered (their
   * promises settle in that callback's microtasks), so those answers are not held up by `fn`.
   */
  private whenWritable(fn: () => void): void {
    const again = () => setImmediate(() => this.whenWritable(fn));
    if (this.wal?.syncing) return this.wal.whenIdle(again);
    if (this.checkpointer?.hold) return this.checkpointer.whenReleased(again);
    fn();
  }

  /**
   * Runs up to MAX_BATCH queued writes in one transaction; the rest in the next one. The writes
   * run without savepoints first: a savepoint copies every page its write touches into the
   * statement journal, 4-6 µs of a new station or a CDR and 1-2 of a status in-process
   * (bench/README.md, What limits). Only when one of them throws is the transaction rolled back
   * and the batch run again, each write in its own savepoint, so that one failing write still
   * takes back only itself. A write's fn may therefore run twice (see `write`).
   */
  private flush(): void {
    this.scheduled = false;
    const batch = this.queue.splice(0, MAX_BATCH);
    if (this.queue.length) this.schedule();
    if (batch.length === 0) return this.idleIfDone();
    let run: BatchRun;
    try {
      this.begin.run();
      const first = this.runWrites(batch, false);
      if (first instanceof Failed) {
        this.db.exec('ROLLBACK');
        if (batch.length === 1) {
          // Nothing else to keep: the write's own error, and nothing written.
          batch[0]!.reject(first.error);
          return this.idleIfDone();
        }
        this.begin.run();
        run = this.runWrites(batch, true);
      } else if (this.rehearse) {
        // Tests: every write runs once more on the state before the batch, as after a failure.
        this.db.exec('ROLLBACK');
        this.begin.run();
        const again = this.runWrites(batch, false);
        if (again instanceof Failed) throw new Error(`a write failed only when run again: ${String((again.error as Error)?.message ?? again.error)}`);
        run = again;
      } else {
        run = first;
      }
      for (const hook of this.commitHooks) {
        const then = hook(this.db);
        if (then) run.committed.push(then);
      }
      this.commit.run();
      this.checkpointer?.committed();
    } catch (error) {
      try {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
      } catch {
        // the connection is unusable; every caller below learns it from its rejection
      }
      for (const p of batch) p.reject(unavailable(error));
      return this.idleIfDone();
    }
    const { outcomes, committed } = run;
    for (const then of committed) then();
    const settle = (syncError?: unknown) => {
      batch.forEach((p, i) => {
        const o = outcomes[i]!;
        if (syncError !== undefined) p.reject(unavailable(syncError));
        else if (o.ok) p.resolve(o.value);
        else p.reject(o.error);
      });
      this.idleIfDone();
    };
    if (this.wal) this.wal.afterCommit(settle);
    else settle();
  }

  /**
   * Runs a batch's writes in the open transaction. Each in its own savepoint when `isolated`, so
   * a write that throws is rolled back alone; otherwise the first write that throws ends the run
   * (`Failed`), and the caller must roll the transaction back.
   */
  private runWrites(batch: QueuedWrite[], isolated: true): BatchRun;
  private runWrites(batch: QueuedWrite[], isolated: false): BatchRun | Failed;
  private runWrites(batch: QueuedWrite[], isolated: boolean): BatchRun | Failed {
    const run: BatchRun = { outcomes: [], committed: [] };
    for (const p of batch) {
      if (isolated) this.savepoint.run();
      const mine: Array<() => void> = [];
      try {
        const value = p.fn(this.db, (then) => void mine.push(then));
        if (isolated) this.release.run();
        run.outcomes.push({ ok: true, value });
        // Before the commit hooks' work: a hook that reloads what this write changed comes after it.
        for (const then of mine) run.committed.push(then);
      } catch (error) {
        if (!isolated) return new Failed(error);
        this.rollbackTo.run();
        this.release.run();
        run.outcomes.push({ ok: false, error });
      }
    }
    return run;
  }

  /**
   * Queues a read: the reads queued in one event-loop turn run in one read transaction on the next
   * turn. A statement outside a transaction opens and closes a WAL read transaction of its own
   * (locks on the shared-memory index, several system calls), which cost more than the look-ups
   * of an rfid-verify themselves: 14 against 3.2 µs for its two look-ups, 50 to a transaction.
   * Reads see every committed write, including one whose fsync is still running. A write in `fn`
   * fails (the batch runs with `query_only`, 2.5 µs a batch): it would bypass WalSync's fsync.
   * Example: `const hit = await db.read((d) => d.prepare('SELECT … WHERE uid = ?').get(uid))`.
   */
  read<T>(fn: (db: Db) => T): Promise<T> {
    if (this.closed) return Promise.reject(closedError());
    return new Promise<T>((resolve, reject) => {
      this.reads.push({ fn, resolve, reject });
      if (this.readScheduled) return;
      this.readScheduled = true;
      setImmediate(() => this.flushReads());
    });
  }

  /** Runs up to MAX_BATCH queued reads in one read transaction; the rest on the next turn. */
  private flushReads(): void {
    this.readScheduled = false;
    const batch = this.reads.splice(0, MAX_BATCH);
    if (this.reads.length) {
      this.readScheduled = true;
      setImmediate(() => this.flushReads());
    }
    if (batch.length === 0) return;
    try {
      this.queryOnly.run();
      this.beginRead.run();
    } catch (error) {
      this.queryAny.run();
      for (const p of batch) p.reject(unavailable(error));
      return;
    }
    // Settling inside the transaction is safe: the callers' continuations run as microtasks, after it ended.
    for (const p of batch) {
      try {
        p.resolve(p.fn(this.db));
      } catch (error) {
        p.reject(error);
      }
    }
    try {
      this.commit.run();
    } catch {
      // Ending a read transaction changes nothing on disk; what was read stands.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
    }
    this.queryAny.run();
  }

  /**
   * Registers `hook` to run in every write batch before its COMMIT (see CommitHook).
   * Example: `db.onCommit((d) => { const rows = changes.all(); return () => apply(rows); })`.
   */
  onCommit(hook: CommitHook): void {
    this.commitHooks.push(hook);
  }

  /** Whether `close` was called. */
  isClosed(): boolean {
    return this.closed;
  }

  /** Writes still queued, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.reads.length) await new Promise<void>((r) => setImmediate(() => (this.flushReads(), r())));
    while (this.queue.length) await new Promise<void>((r) => this.whenWritable(() => (this.flush(), r())));
    await this.checkpointer?.close();
    await this.wal?.close();
    this.db.close();
  }

  /** A counter that changes whenever another connection commits (for cache refresh). */
  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }
}

function closedError(): OioiError {
  return new OioiError(100, 'storage is closed', { httpStatus: 503, retryAfter: 1 });
}

function unavailable(error: unknown): OioiError {
  return new OioiError(101, `storage unavailable: ${(error as Error)?.message ?? error}`, { httpStatus: 503, retryAfter: 1 });
}

/**
 * Opens (and migrates) the SQLite database of a `sqlite:<path>` URL or a plain path.
 * Example: `await openSqlite('sqlite:./data/oioi.db')`.
 */
export async function openSqlite(url: string, options: SqliteOptions = {}): Promise<SqliteDatabase> {
  const path = url.replace(/^sqlite:(\/\/)?/, '') || ':memory:';
  const db = new SqliteDatabase(path, options);
  if (options.migrate !== false) {
    await runMigrations(db.db);
    // Migrations commit outside the write queue: a checkpoint syncs them (WAL, then the file).
    if (path !== ':memory:') db.db.pragma('wal_checkpoint(PASSIVE)');
  }
  return db;
}
