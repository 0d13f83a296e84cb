/**
 * The N nearest stations of a surface query, kept while its buckets are scanned: a max-heap on
 * (distance, station id) in typed arrays, reused from query to query (typed arrays cost to
 * allocate). Station ids are read from the index's `meta` only on equal distances.
 */
import { ID, M } from './surface-layout.js';

/** The `size` smallest (distance, id) offered. Example: `h.reset(101, meta); h.offer(d, slot, lat, lon); h.sortInPlace()`. */
export class NearestHeap {
  private readonly d: Float64Array;
  private readonly slot: Int32Array;
  private readonly lat: Float64Array;
  private readonly lon: Float64Array;
  private n = 0;
  private size = 0;
  private meta: Int32Array = new Int32Array(0);

  constructor(readonly capacity: number) {
    this.d = new Float64Array(capacity);
    this.slot = new Int32Array(capacity);
    this.lat = new Float64Array(capacity);
    this.lon = new Float64Array(capacity);
  }

  /** Empties the heap for a query keeping `size` entries of stations described by `meta`. */
  reset(size: number, meta: Int32Array): void {
    this.n = 0;
    this.size = size;
    this.meta = meta;
  }

  full(): boolean {
    return this.n === this.size;
  }

  worstDistance(): number {
    return this.d[0]!;
  }

  slotAt(i: number): number {
    return this.slot[i]!;
  }

  latAt(i: number): number {
    return this.lat[i]!;
  }

  lonAt(i: number): number {
    return this.lon[i]!;
  }

  offer(d: number, slot: number, lat: number, lon: number): void {
    if (this.n < this.size) {
      let i = this.n++;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.after(d, slot, this.d[p]!, this.slot[p]!)) break;
        this.move(p, i);
        i = p;
      }
      this.put(i, d, slot, lat, lon);
      return;
    }
    if (this.size === 0 || !this.after(this.d[0]!, this.slot[0]!, d, slot)) return;
    this.siftDown(0, this.n, d, slot, lat, lon);
  }

  /**
   * Sorts the entries in place, nearest first (ties by station id), by popping the worst to the
   * end n times; returns how many. The heap is spent afterwards.
   */
  sortInPlace(): number {
    const count = this.n;
    for (let end = count - 1; end > 0; end--) {
      const d = this.d[end]!, slot = this.slot[end]!, lat = this.lat[end]!, lon = this.lon[end]!;
      this.move(0, end);
      this.siftDown(0, end, d, slot, lat, lon);
    }
    return count;
  }

  /** Puts (d, slot, …) at i or below, within the first n entries. */
  private siftDown(i: number, n: number, d: number, slot: number, lat: number, lon: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.after(this.d[r]!, this.slot[r]!, this.d[l]!, this.slot[l]!) ? r : l;
      if (!this.after(this.d[c]!, this.slot[c]!, d, slot)) break;
      this.move(c, i);
      i = c;
    }
    this.put(i, d, slot, lat, lon);
  }

  /** (d, slot) comes after (d2, slot2): farther, or as far with a larger station id. */
  private after(d: number, slot: number, d2: number, slot2: number): boolean {
    return d > d2 || (d === d2 && this.meta[slot * M + ID]! > this.meta[slot2 * M + ID]!);
  }

  private move(from: number, to: number): void {
    this.d[to] = this.d[from]!;
    this.slot[to] = this.slot[from]!;
    this.lat[to] = this.lat[from]!;
    this.lon[to] = this.lon[from]!;
  }

  private put(i: number, d: number, slot: number, lat: number, lon: number): void {
    this.d[i] = d;
    this.slot[i] = slot;
    this.lat[i] = lat;
    this.lon[i] = lon;
  }
}
