/**
 * Variable-length runs of fixed-width records in one typed array, for the surface index's
 * connectors, names and grid buckets: a million small JavaScript arrays or strings cost twice
 * their data in headers and growth room on the V8 heap, and the garbage of their growth stayed
 * resident (the index took 280 MB of RSS that way, over the 400 MB target with 1M stations).
 *
 * A run lives at [start, start + room) records. One that outgrows its room moves to the end of
 * the pool, unless it is the last run, which grows in place (so runs filled one after another, as
 * a build does, end up packed with no room to spare). What runs leave behind is counted and
 * reclaimed by `compact` once it is half of the pool.
 */
type Typed = Int32Array | Float64Array | Uint8Array;

/** A pool of runs. Example: `const p = new RunPool(Float64Array, 3); const at = p.alloc(2)`. */
export class RunPool<T extends Typed> {
  data: T;
  /** Records in use or left behind: the end of the last run. */
  used = 0;
  /** Records left behind by moved or freed runs. */
  garbage = 0;

  constructor(private readonly make: new (n: number) => T, readonly stride: number) {
    this.data = new make(0);
  }

  /** Room for `n` records at the end; their start. */
  alloc(n: number): number {
    const start = this.used;
    this.reserve(start + n);
    this.used += n;
    return start;
  }

  /**
   * Gives the run at `start` (room `room`, holding `length` records) room for `want`; its
   * (possibly new) start, the records copied along.
   */
  grow(start: number, room: number, length: number, want: number): number {
    if (want <= room) return start;
    if (start + room === this.used) {
      this.reserve(start + want);
      this.used = start + want;
      return start;
    }
    const to = this.alloc(want);
    this.data.copyWithin(to * this.stride, start * this.stride, (start + length) * this.stride);
    this.garbage += room;
    return to;
  }

  /** Gives back a run's room. */
  free(room: number): void {
    this.garbage += room;
  }

  /** Whether `compact` is worth its copy. */
  wasteful(): boolean {
    return this.garbage > 4096 && this.garbage * 2 > this.used;
  }

  /**
   * Rewrites the pool with only the live runs: `each` calls `move(start, length)` for every live
   * run, in the order they should take, and stores the start it returns. The room of each run
   * becomes its length.
   */
  compact(each: (move: (start: number, length: number) => number) => void): void {
    const s = this.stride;
    const to = new this.make(Math.max(0, this.used - this.garbage) * s + 1024 * s);
    let at = 0;
    each((start, length) => {
      to.set(this.data.subarray(start * s, (start + length) * s), at * s);
      const placed = at;
      at += length;
      return placed;
    });
    this.data = to;
    this.used = at;
    this.garbage = 0;
  }

  /** Shrinks the backing array to what is used, plus 1/16 (after a build). */
  trim(): void {
    const want = (this.used + (this.used >> 4) + 1024) * this.stride;
    if (this.data.length > want) this.data = this.data.slice(0, want) as T;
  }

  private reserve(records: number): void {
    const n = records * this.stride;
    if (this.data.length >= n) return;
    const to = new this.make(Math.max(n, this.data.length * 2, 1024 * this.stride));
    to.set(this.data);
    this.data = to;
  }
}
