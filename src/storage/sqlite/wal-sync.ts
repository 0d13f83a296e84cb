/**
 * Group commit for SQLite in WAL mode: after a COMMIT (run with synchronous=NORMAL, so SQLite
 * wrote the WAL frames but did not fsync them), `afterCommit` calls back once an fsync of the
 * WAL file that started after that COMMIT has finished. The fsync runs on libuv's thread pool, so
 * the event loop keeps parsing and committing the next requests meanwhile; every commit made
 * while one fsync runs shares the next one. A transaction whose frames are fsynced survives a
 * power loss: recovery replays the WAL up to its last valid commit frame.
 */
import { close, closeSync, fstatSync, fsync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

type Done = (error?: unknown) => void;

/** Example: `const wal = new WalSync('./data/oioi.db-wal'); wal.afterCommit((err) => answer(err))`. */
export class WalSync {
  private fd: number | undefined;
  private ino = -1;
  private running = false;
  /** Callers whose COMMIT returned and who wait for the next fsync to start and finish. */
  private waiting: Done[] = [];
  private idle: Array<() => void> = [];

  /** `syncFile` is fs.fsync; tests pass one they can hold. */
  constructor(
    private readonly walPath: string,
    private readonly syncFile: (fd: number, done: (error: NodeJS.ErrnoException | null) => void) => void = fsync,
  ) {}

  /** Calls `done` after the WAL, as written by the COMMIT that just returned, is on disk. */
  afterCommit(done: Done): void {
    this.waiting.push(done);
    if (!this.running) this.start();
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    let fd: number;
    try {
      fd = this.open();
    } catch (error) {
      for (const d of batch) d(error);
      return this.drained();
    }
    this.running = true;
    this.syncFile(fd, (error) => {
      this.running = false;
      for (const d of batch) d(error ?? undefined);
      if (this.waiting.length) this.start();
      else this.drained();
    });
  }

  /**
   * The WAL's file descriptor, opened again when the file was replaced (another connection was
   * the last to close and SQLite deleted it). A new WAL's directory entry is synced once, so the
   * file itself survives a power loss, not only its contents.
   */
  private open(): number {
    const ino = statSync(this.walPath).ino;
    if (this.fd !== undefined && ino === this.ino) return this.fd;
    if (this.fd !== undefined) close(this.fd, () => {});
    this.fd = openSync(this.walPath, 'r');
    this.ino = fstatSync(this.fd).ino;
    const dir = openSync(dirname(this.walPath), 'r');
    try {
      // fsync of the directory makes the new WAL's name durable (Linux; elsewhere a no-op or EINVAL).
      fsyncSyncQuietly(dir);
    } finally {
      closeSync(dir);
    }
    return this.fd;
  }

  /** True while an fsync runs or commits wait for the next one. */
  get syncing(): boolean {
    return this.running || this.waiting.length > 0;
  }

  /**
   * Calls `fn` once no fsync runs and none is waiting (at once when idle). The writer uses it to
   * hold its next transaction until the fsync in flight is done, so that transaction gathers
   * every write queued meanwhile: fewer, larger commits for the same answer latency.
   * Example: `wal.whenIdle(() => flush())`.
   */
  whenIdle(fn: () => void): void {
    if (!this.syncing) fn();
    else this.idle.push(fn);
  }

  private drained(): void {
    if (!this.syncing) for (const fn of this.idle.splice(0)) fn();
  }

  /** Waits for the fsync in flight, then closes the file. */
  async close(): Promise<void> {
    await new Promise<void>((r) => this.whenIdle(r));
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** fsync that tolerates file systems which refuse it on directories. */
function fsyncSyncQuietly(fd: number): void {
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on directories; the WAL's contents are still synced
  }
}
