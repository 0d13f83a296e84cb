/**
 * WAL checkpoints on a worker thread. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses the threshold, on the event-loop thread: it copies the WAL's pages into the database
 * file and fsyncs both, a stall of several milliseconds (tens on a busy disk) every thousand
 * pages, during which the hub parses and answers nothing. Here a second connection, on its own
 * thread, checkpoints every `intervalMs` while the hub keeps committing (PASSIVE: it never blocks
 * the writer). A checkpoint that runs alongside commits cannot reach the WAL's end, and SQLite
 * rewinds the WAL only for a writer that begins after it was copied to its end, so once the WAL
 * is longer than `rewindFrames` the writer holds its next transaction while the worker copies
 * the few frames left (see
 * `SqliteDatabase.whenWritable`); the first commit after that starts the WAL from its beginning
 * again. The writer's own automatic checkpoint stays on at a high threshold (database.ts,
 * `BACKSTOP_FRAMES`), in case this worker falls behind or fails.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Unheld passes at most before the held one that rewinds the WAL. */
const CATCH_UP_PASSES = 4;

/** Options of a Checkpointer (tests use small values). */
export interface CheckpointerOptions {
  /**
   * Milliseconds between checkpoints while there are new commits (default 2000). A checkpoint
   * copies each page once however often it was written since the last one: under heavy load the
   * same pages are written again and again (a status rewrites a random one of its table's few
   * thousand pages), and at 250 ms the hub copied each write about once. 2000 against 250,
   * alternated pairs of `npm run bench:ab` (bench/README.md): status -4% and -28%, cdr -13% and
   * -20% of CPU a request, station even, p99 no worse.
   */
  intervalMs?: number;
  /** WAL frames after which the WAL is copied to its end and rewound (default 16384, 64 MiB of 4 KiB pages). */
  rewindFrames?: number;
  /** A pass that took longer than this (ms) is followed by another one without holding before the held one (default 3). */
  catchUpMs?: number;
}

/** What one `PRAGMA wal_checkpoint` reported. */
export interface CheckpointResult { busy: number; log: number; checkpointed: number }

// The worker's code: CommonJS evaluated in the thread, so it runs the same from src/ (tsx) and dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// FULL or NORMAL both fsync the WAL before and the database file after a checkpoint.
db.pragma('synchronous = NORMAL');
db.pragma('wal_autocheckpoint = 0');
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  try {
    parentPort.postMessage({ ok: true, result: db.pragma('wal_checkpoint(PASSIVE)')[0] });
  } catch (error) {
    parentPort.postMessage({ ok: false, error: String(error && error.message || error) });
  }
});
`;

/** Example: `const c = new Checkpointer('./data/oioi.db'); c.committed(); … await c.close()`. */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly timer: NodeJS.Timeout;
  private readonly rewindFrames: number;
  private readonly catchUpMs: number;
  private dirty = false;
  private running = false;
  /** The writer must not start a transaction: the WAL is being copied to its end. */
  private holding = false;
  private released: Array<() => void> = [];
  private replies: Array<(r: CheckpointResult | undefined) => void> = [];
  private closed = false;
  private exited = false;
  /** The last error the worker reported (the writer's own checkpoint still runs at its threshold). */
  lastError: string | undefined;
  /** Checkpoints the worker ran, and how many of them copied the WAL to its end while holding the writer. */
  readonly done = { checkpoints: 0, rewinds: 0 };

  constructor(path: string, { intervalMs = 2000, rewindFrames = 16_384, catchUpMs = 3 }: CheckpointerOptions = {}) {
    this.rewindFrames = rewindFrames;
    this.catchUpMs = catchUpMs;
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    // execArgv []: none of the parent's flags (--input-type=module would make this code ESM, a
    // loader such as tsx would only slow the thread's start).
    this.worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { path, module } });
    this.worker.on('message', (m: { ok: boolean; result?: CheckpointResult; error?: string }) => {
      if (!m.ok) this.lastError = m.error;
      this.replies.shift()?.(m.ok ? m.result : undefined);
      if (this.replies.length === 0 && !this.closed) this.worker.unref();
    });
    this.worker.on('error', (error) => (this.lastError = String(error?.message ?? error)));
    // A worker that is gone answers nothing more: whoever waits goes on (the backstop remains).
    this.worker.on('exit', () => {
      this.exited = true;
      for (const r of this.replies.splice(0)) r(undefined);
    });
    // Unreferenced between checkpoints, so a process that never closes its database (a CLI, a
    // test) can still exit. After the listeners: adding a 'message' listener refs the port again.
    this.worker.unref();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Tells that a transaction was committed (there is something to copy). */
  committed(): void {
    this.dirty = true;
  }

  /** True while the writer must wait before its next transaction. */
  get hold(): boolean {
    return this.holding;
  }

  /** Calls `fn` once the writer may go on (at once when it may). */
  whenReleased(fn: () => void): void {
    if (!this.holding) fn();
    else this.released.push(fn);
  }

  /** One checkpoint, then the rewind when the WAL has grown long. Resolves with what the concurrent checkpoint reported. */
  async tick(): Promise<CheckpointResult | undefined> {
    if (this.running || !this.dirty || this.closed) return undefined;
    this.running = true;
    this.dirty = false;
    try {
      let started = performance.now();
      const r = await this.checkpoint();
      if (r) this.done.checkpoints++;
      if (r && r.log >= this.rewindFrames && !this.closed) {
        // The held pass copies what was committed while the pass before it ran, and fsyncs the
        // database file over those pages: after a long pass, tens of milliseconds in which no
        // write commits (34 to 56 ms measured under the status load). More
        // passes without holding first, while each still took long: each copies what the one
        // before left, so the held one is left only a few frames.
        for (let i = 0; i < CATCH_UP_PASSES && performance.now() - started > this.catchUpMs && !this.closed; i++) {
          started = performance.now();
          if (!(await this.checkpoint())) break;
          this.done.checkpoints++;
        }
        // Nobody writes while holding, so this one reaches the WAL's end (unless another process
        // reads an older snapshot: then the WAL rewinds on a later tick). Also when the first one
        // reached it: SQLite rewinds only for a writer whose transaction BEGAN after the copy was
        // complete, and a commit that slipped in since would start the next one from the middle.
        this.holding = true;
        try {
          if (await this.checkpoint()) this.done.rewinds++;
        } finally {
          this.holding = false;
          for (const fn of this.released.splice(0)) fn();
        }
      }
      return r;
    } finally {
      this.running = false;
    }
  }

  private checkpoint(): Promise<CheckpointResult | undefined> {
    return new Promise((resolve) => {
      // Referenced while a reply is awaited: whoever awaits it (a held writer) must see it come.
      if (this.replies.length === 0) this.worker.ref();
      this.replies.push(resolve);
      this.worker.postMessage('checkpoint');
    });
  }

  /** Stops the timer and the worker, after the checkpoint in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    // Unref'd so an idle hub can exit; referenced again so this wait keeps the process alive.
    this.worker.ref();
    this.worker.postMessage('close');
    await exited;
  }
}
