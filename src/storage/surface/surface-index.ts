/**
 * station-get-surface's stations in memory (issue 7): what the surface query filters on and
 * answers, for every live station, in typed arrays and a grid of buckets of about 1.5 x 1.2 km
 * (in Europe). A city box is then a few dozen buckets, visited nearest first until the N+1
 * nearest are surely found: no SQL statement, no row handed from the database to JavaScript.
 * SQLite's query (sqlite/poi/surface.ts) took 400-550 µs per city box, most of it scanning key
 * ranges, computing distances and copying rows out of SQLite; PostgreSQL's (`oioi_surface`) about
 * 4 ms of the database's CPU at a million stations.
 *
 * The answer is the SQL query's (either engine's), to the bit: the same filters, the same distance arithmetic in
 * the same order (doubles both), the same order (distance, then id). Boxes spanning more than
 * MAX_BUCKETS buckets (a country, a continent) are left to the SQL query, which grows windows
 * from the centre instead of visiting every bucket; so are queries filtered by connector type or
 * speed (rare, and the index would need every connector's type and speed in memory).
 *
 * Memory (1M stations, 2M connectors): about 110 MB, nearly all of it in typed arrays outside
 * the V8 heap (run-pool.ts says why). This is a data structure only; each engine's surface-live.ts keeps it
 * equal to the database.
 */
import type { ConnectorStatusValue, SurfaceQuery, SurfaceStationRecord } from '../poi.js';
import { Utf8Text } from '../utf8-text.js';
import { NearestHeap } from './nearest-heap.js';
import { RunPool } from './run-pool.js';
import { BUCKET, CONN_COUNT_OWNER, CONN_START, ID, M, NAME_LEN, NAME_START, PARTNER } from './surface-layout.js';

/** A live station as the index holds it. */
export interface IndexedStation {
  id: number;
  name: string;
  latitude: number;
  longitude: number;
  isPrivate: boolean;
  partnerId: number;
  ownerType: string | null;
  staticChangedAt: number;
  /** In position order. */
  connectors: Array<{ id: number; status: ConnectorStatusValue }>;
}

const STATUSES: readonly ConnectorStatusValue[] = ['Available', 'Occupied', 'Reserved', 'Offline', 'Unknown'];
const STATUS_CODE = new Map<string, number>(STATUSES.map((s, i) => [s, i]));
/** Buckets per axis: 2^14, four grid cells of surface_stations' 2^16 per axis. */
const G = 2 ** 14;
/** Beyond this many buckets in a box, the SQL query answers (its windows start at the centre). */
const MAX_BUCKETS = 4096;
/** Bucket edges are recomputed from their index: a station on an edge may round to either side. */
const EDGE_MARGIN = 1e-9;

const bucketX = (lon: number) => Math.max(0, Math.min(G - 1, Math.floor(((lon + 180) * G) / 360)));
const bucketY = (lat: number) => Math.max(0, Math.min(G - 1, Math.floor(((lat + 90) * G) / 180)));

/** Grows a typed array to at least `n` elements, doubling. */
function grown<T extends Int32Array | Float64Array>(a: T, n: number): T {
  if (a.length >= n) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(n, a.length * 2, 1024));
  b.set(a);
  return b;
}

/** A typed array cut down to `n` elements plus 1/16 when it holds much more (after a build). */
function fitted<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const want = n + (n >> 4) + 1024;
  return a.length > want ? (a.slice(0, want) as T) : a;
}

/** Interns strings (owner types) as small codes; 0 is null. */
class Dictionary {
  private readonly codes = new Map<string, number>();
  readonly values: Array<string | null> = [null];
  code(v: string | null): number {
    if (v === null) return 0;
    let c = this.codes.get(v);
    if (c === undefined) (c = this.values.length), this.codes.set(v, c), this.values.push(v);
    return c;
  }
  /** The codes of `vs` that exist (an unknown value matches nothing). */
  setOf(vs: readonly string[]): Set<number> {
    const out = new Set<number>();
    for (const v of vs) {
      const c = this.codes.get(v);
      if (c !== undefined) out.add(c);
    }
    return out;
  }
}

/** Per-query arrays of the buckets a box spans (at most MAX_BUCKETS). */
const scratch = { bounds: new Float64Array(MAX_BUCKETS), runs: new Int32Array(MAX_BUCKETS * 2), order: new Int32Array(MAX_BUCKETS) };

/** Sorts the first `n` of `order` by `bounds`: insertion sort for the few dozen of a city box. */
function sortByBound(order: Int32Array, bounds: Float64Array, n: number): void {
  if (n > 64) {
    order.subarray(0, n).sort((a, b) => bounds[a]! - bounds[b]!);
    return;
  }
  for (let i = 1; i < n; i++) {
    const v = order[i]!, bv = bounds[v]!;
    let j = i - 1;
    while (j >= 0 && bounds[order[j]!]! > bv) (order[j + 1] = order[j]!), j--;
    order[j + 1] = v;
  }
}

/** Doubles per station in a bucket's run: latitude, longitude, slot * 2 + private. */
const E = 3;

/**
 * The live stations of a hub, searchable by box. Example:
 * `const ix = new SurfaceIndex(); ix.upsert(station); ix.query({ minLat: 52, maxLat: 53, minLon: 13, maxLon: 14, askerPartnerId: 2, limit: 100 })`.
 *
 * Laid out for the memory cache, which costs more here than the arithmetic (a first layout, one
 * typed array per field, took 200 µs per city box, almost all of it cache misses): a bucket's
 * stations are one run of (latitude, longitude, slot) read front to back, each station's other
 * fields sit together in `meta`, and a build in grid order gives neighbours neighbouring slots.
 */
export class SurfaceIndex {
  private slotOfId: Int32Array = new Int32Array(0); // id -> slot + 1 (0: absent)
  private meta: Int32Array = new Int32Array(0); // M ints per slot (surface-layout.ts)
  private changedAt: Float64Array = new Float64Array(0);
  private slots = 0;
  private readonly freeSlots: number[] = [];
  /** Connector runs: (id, status code) per connector, in position order. */
  private readonly conn = new RunPool(Int32Array, 2);
  /** Name runs, UTF-8. */
  private readonly names = new RunPool(Uint8Array, 1);
  private nameView: Buffer = Buffer.alloc(0);
  /** Bucket runs of E doubles per station; a bucket's run is found through its handle. */
  private readonly cells = new RunPool(Float64Array, E);
  private readonly handleOf = new Map<number, number>();
  private handles: Int32Array = new Int32Array(0); // (start, length, room) per handle
  private readonly freeHandles: number[] = [];
  private handleCount = 0;
  private readonly ownerTypes = new Dictionary();
  /** Reused by every query (queries are synchronous); grown to the largest limit asked. */
  private heap = new NearestHeap(128);
  /** Live stations held. */
  size = 0;

  /** Adds or replaces a station. Example: `ix.upsert({ id: 7, name: 'A', latitude: 52.5, … })`. */
  upsert(s: IndexedStation): void {
    // Ids are the stations' keys (SQLite's INTEGER PRIMARY KEY, PostgreSQL's identity), dense from 1;
    // a slot table by id beyond this would cost more than it saves.
    if (!Number.isInteger(s.id) || s.id < 1 || s.id > 2 ** 28) throw new RangeError(`station id ${s.id} out of the index's range`);
    let slot = this.slotOf(s.id);
    let m: number;
    if (slot < 0) {
      slot = this.freeSlots.pop() ?? this.slots++;
      this.meta = grown(this.meta, (slot + 1) * M);
      this.changedAt = grown(this.changedAt, slot + 1);
      this.slotOfId = grown(this.slotOfId, s.id + 1);
      this.slotOfId[s.id] = slot + 1;
      m = slot * M;
      this.meta.fill(0, m, m + M);
      this.meta[m + ID] = s.id;
      this.meta[m + CONN_START] = this.conn.alloc(0);
      this.meta[m + NAME_START] = this.names.alloc(0);
      this.size++;
    } else {
      m = slot * M;
      this.removeFromBucket(this.meta[m + BUCKET]!, slot);
    }
    const bucket = bucketY(s.latitude) * G + bucketX(s.longitude);
    this.addToBucket(bucket, slot, s.latitude, s.longitude, s.isPrivate);
    this.meta[m + BUCKET] = bucket;
    this.meta[m + PARTNER] = s.partnerId;
    this.changedAt[slot] = s.staticChangedAt;
    this.setName(m, s.name);
    const n = s.connectors.length;
    const had = this.meta[m + CONN_COUNT_OWNER]! >>> 16;
    let at = this.meta[m + CONN_START]!;
    if (n !== had) {
      this.conn.free(had);
      at = this.meta[m + CONN_START] = this.conn.alloc(n);
    }
    this.meta[m + CONN_COUNT_OWNER] = (n << 16) | this.ownerTypes.code(s.ownerType);
    const conn = this.conn.data;
    for (let i = 0; i < n; i++) {
      const c = s.connectors[i]!;
      conn[(at + i) * 2] = c.id;
      conn[(at + i) * 2 + 1] = STATUS_CODE.get(c.status) ?? STATUS_CODE.get('Unknown')!;
    }
    this.reclaim();
  }

  /** Drops a station (deleted, or gone); a no-op when absent. Example: `ix.remove(7)`. */
  remove(id: number): void {
    const slot = this.slotOf(id);
    if (slot < 0) return;
    const m = slot * M;
    this.removeFromBucket(this.meta[m + BUCKET]!, slot);
    this.slotOfId[id] = 0;
    this.conn.free(this.meta[m + CONN_COUNT_OWNER]! >>> 16);
    this.names.free(this.meta[m + NAME_LEN]!);
    this.meta.fill(0, m, m + M); // ID 0: a free slot, skipped by compaction
    this.freeSlots.push(slot);
    this.size--;
    this.reclaim();
  }

  /** Sets one connector's status; false when the index does not hold it. Example: `ix.setStatus(7, 12, 'Occupied')`. */
  setStatus(stationId: number, connectorId: number, status: ConnectorStatusValue): boolean {
    const slot = this.slotOf(stationId);
    const code = STATUS_CODE.get(status);
    if (slot < 0 || code === undefined) return false;
    const conn = this.conn.data;
    const start = this.meta[slot * M + CONN_START]!;
    for (let i = start, end = start + (this.meta[slot * M + CONN_COUNT_OWNER]! >>> 16); i < end; i++) {
      if (conn[i * 2] === connectorId) return (conn[i * 2 + 1] = code), true;
    }
    return false;
  }

  /** Gives back the room growth left in the arrays, to what they hold plus 1/16. Run after a build. Example: `ix.trim()`. */
  trim(): void {
    this.meta = fitted(this.meta, this.slots * M);
    this.changedAt = fitted(this.changedAt, this.slots);
    this.handles = fitted(this.handles, this.handleCount * 3);
    let maxId = 0;
    for (let slot = 0; slot < this.slots; slot++) maxId = Math.max(maxId, this.meta[slot * M + ID]!);
    this.slotOfId = fitted(this.slotOfId, maxId + 1);
    this.conn.trim();
    this.names.trim();
    this.nameView = Buffer.alloc(0); // it held the untrimmed array
    this.cells.trim();
  }

  /**
   * Whether `query` answers `q` (no connector filter, a box of at most MAX_BUCKETS buckets).
   * Example: `if (ix.covers(q)) await catchUp()`.
   */
  covers(q: SurfaceQuery): boolean {
    if (q.connectorTypes?.length || q.speedAtLeast !== undefined || q.speedAtMost !== undefined) return false;
    return (bucketX(q.maxLon) - bucketX(q.minLon) + 1) * (bucketY(q.maxLat) - bucketY(q.minLat) + 1) <= MAX_BUCKETS;
  }

  /**
   * The surface query's answer, or undefined when the SQL query must answer (a box of too many
   * buckets, a connector filter).
   * Example: `ix.query({ minLat: 52.4, maxLat: 52.6, minLon: 13.2, maxLon: 13.6, askerPartnerId: 3, limit: 100 })`.
   */
  query(q: SurfaceQuery): { stations: SurfaceStationRecord[]; hasMore: boolean } | undefined {
    if (!this.covers(q)) return undefined;
    const x0 = bucketX(q.minLon), x1 = bucketX(q.maxLon), y0 = bucketY(q.minLat), y1 = bucketY(q.maxLat);
    const cLat = (q.minLat + q.maxLat) / 2;
    const cLon = (q.minLon + q.maxLon) / 2;
    const k = Math.max(Math.cos((cLat * Math.PI) / 180), 1e-6);
    // The buckets that hold stations, each with a lower bound of its stations' distances (reused
    // arrays: a query is synchronous), then their order by that bound.
    const { bounds, runs, order } = scratch;
    const handles = this.handles;
    let count = 0;
    for (let y = y0; y <= y1; y++) {
      const latA = (y * 180) / G - 90 - EDGE_MARGIN, latB = ((y + 1) * 180) / G - 90 + EDGE_MARGIN;
      const dy = cLat < latA ? latA - cLat : cLat > latB ? cLat - latB : 0;
      for (let x = x0; x <= x1; x++) {
        const h = this.handleOf.get(y * G + x);
        if (h === undefined) continue;
        const lonA = (x * 360) / G - 180 - EDGE_MARGIN, lonB = ((x + 1) * 360) / G - 180 + EDGE_MARGIN;
        const dx = (cLon < lonA ? lonA - cLon : cLon > lonB ? cLon - lonB : 0) * k;
        bounds[count] = Math.sqrt(dx * dx + dy * dy) * (1 - 1e-12);
        runs[count * 2] = handles[h * 3]!;
        runs[count * 2 + 1] = handles[h * 3 + 1]!;
        order[count] = count;
        count++;
      }
    }
    sortByBound(order, bounds, count);
    const accept = this.filterOf(q);
    if (this.heap.capacity <= q.limit) this.heap = new NearestHeap(q.limit + 1);
    const best = this.heap;
    best.reset(q.limit + 1, this.meta);
    const { minLat, maxLat, minLon, maxLon } = q;
    const cells = this.cells.data;
    for (let o = 0; o < count; o++) {
      const b = order[o]!;
      if (best.full() && bounds[b]! > best.worstDistance()) break;
      const start = runs[b * 2]! * E;
      for (let e = start, end = start + runs[b * 2 + 1]! * E; e < end; e += E) {
        const la = cells[e]!, lo = cells[e + 1]!;
        if (la < minLat || la > maxLat || lo < minLon || lo > maxLon) continue;
        const slotPriv = cells[e + 2]!;
        const slot = slotPriv >>> 1;
        if (!accept(slot, slotPriv & 1)) continue;
        // The SQL query's arithmetic, in its order: sqrt(((lon - cLon) * k)² + (lat - cLat)²).
        const dx = (lo - cLon) * k;
        const dy = la - cLat;
        best.offer(Math.sqrt(dx * dx + dy * dy), slot, la, lo);
      }
    }
    const found = best.sortInPlace();
    const n = Math.min(found, q.limit);
    // The answer's names, copied into one array of their own: the pool's bytes may change (a write
    // applied to the index) before the answer is written out, after an await.
    // The same tight loop touches each station's name, connectors and change time: their loads do
    // not wait on each other there, so the cache misses overlap (recordOf would take them one after
    // another).
    const meta = this.meta, pool = this.names.data, conn = this.conn.data, changedAt = this.changedAt;
    let nameBytes = 0;
    let touched = 0;
    for (let i = 0; i < n; i++) {
      const slot = best.slotAt(i), m = slot * M;
      nameBytes += meta[m + NAME_LEN]!;
      touched += pool[meta[m + NAME_START]!]! + conn[meta[m + CONN_START]! * 2]! + changedAt[slot]!;
    }
    if (touched < 0) nameBytes = 0; // never: keeps the touches from being dropped
    const names = Buffer.allocUnsafe(nameBytes);
    const stations: SurfaceStationRecord[] = [];
    for (let i = 0, at = 0; i < n; i++) {
      const record = this.recordOf(i, best, names, at);
      at = (record.name as Utf8Text).end;
      stations.push(record);
    }
    return { stations, hasMore: found > q.limit };
  }

  /** The filters of `q` other than the box (and connector filters), as one test of a slot and its private flag. */
  private filterOf(q: SurfaceQuery): (slot: number, isPrivate: number) => boolean {
    const asker = q.askerPartnerId;
    const excluded = q.excludes?.length ? new Set(q.excludes) : undefined;
    const operators = q.operatorIds?.length ? new Set(q.operatorIds) : undefined;
    const owners = q.companyTypes?.length ? this.ownerTypes.setOf(q.companyTypes) : undefined;
    const meta = this.meta;
    if (!excluded && !operators && !owners) return (slot, isPrivate) => isPrivate === 0 || meta[slot * M + PARTNER] === asker;
    return (slot, isPrivate) => {
      const m = slot * M;
      if (isPrivate === 1 && meta[m + PARTNER] !== asker) return false;
      if (operators && !operators.has(meta[m + PARTNER]!)) return false;
      if (owners && !owners.has(meta[m + CONN_COUNT_OWNER]! & 0xffff)) return false;
      return !excluded || !excluded.has(meta[m + ID]!);
    };
  }

  /** The record of the heap's entry `i`, its name copied into `names` at `at`. */
  private recordOf(i: number, heap: NearestHeap, names: Uint8Array, at: number): SurfaceStationRecord {
    const slot = heap.slotAt(i);
    const m = slot * M;
    const meta = this.meta, conn = this.conn.data;
    const pool = this.names.data;
    const from = meta[m + NAME_START]!;
    const end = at + meta[m + NAME_LEN]!;
    for (let b = at, f = from; b < end; b++, f++) names[b] = pool[f]!;
    const connectors: SurfaceStationRecord['connectors'] = [];
    const start = meta[m + CONN_START]!;
    for (let c = start, end = start + (meta[m + CONN_COUNT_OWNER]! >>> 16); c < end; c++) {
      connectors.push({ id: conn[c * 2]!, status: STATUSES[conn[c * 2 + 1]!]! });
    }
    return {
      id: meta[m + ID]!,
      name: new Utf8Text(names, at, end),
      latitude: heap.latAt(i),
      longitude: heap.lonAt(i),
      ownerType: this.ownerTypes.values[meta[m + CONN_COUNT_OWNER]! & 0xffff]!,
      staticChangedAt: this.changedAt[slot]!,
      connectors,
    };
  }

  private setName(m: number, name: string): void {
    const bytes = Buffer.byteLength(name, 'utf8');
    const had = this.meta[m + NAME_LEN]!;
    if (bytes !== had) {
      this.names.free(had);
      this.meta[m + NAME_START] = this.names.alloc(bytes);
      this.meta[m + NAME_LEN] = bytes;
    }
    const data = this.names.data;
    if (this.nameView.buffer !== data.buffer) this.nameView = Buffer.from(data.buffer, data.byteOffset, data.length);
    this.nameView.write(name, this.meta[m + NAME_START]!, bytes, 'utf8');
  }

  private slotOf(id: number): number {
    return id > 0 && id < this.slotOfId.length ? this.slotOfId[id]! - 1 : -1;
  }

  private addToBucket(bucket: number, slot: number, lat: number, lon: number, isPrivate: boolean): void {
    let h = this.handleOf.get(bucket);
    if (h === undefined) {
      h = this.freeHandles.pop() ?? this.handleCount++;
      this.handles = grown(this.handles, (h + 1) * 3);
      this.handles[h * 3] = this.cells.alloc(1);
      this.handles[h * 3 + 1] = 0;
      this.handles[h * 3 + 2] = 1;
      this.handleOf.set(bucket, h);
    }
    const hs = this.handles;
    const length = hs[h * 3 + 1]!, room = hs[h * 3 + 2]!;
    if (length === room) {
      // Grows in place when last (a build in grid order); moved runs get half again as room.
      const start = hs[h * 3]!;
      const want = start + room === this.cells.used ? room + 1 : room + 1 + (room >> 1);
      hs[h * 3] = this.cells.grow(start, room, length, want);
      hs[h * 3 + 2] = want;
    }
    const e = (hs[h * 3]! + length) * E;
    const cells = this.cells.data;
    cells[e] = lat;
    cells[e + 1] = lon;
    cells[e + 2] = slot * 2 + (isPrivate ? 1 : 0);
    hs[h * 3 + 1] = length + 1;
  }

  private removeFromBucket(bucket: number, slot: number): void {
    const h = this.handleOf.get(bucket);
    if (h === undefined) return;
    const hs = this.handles, cells = this.cells.data;
    const start = hs[h * 3]! * E, length = hs[h * 3 + 1]!;
    for (let e = start, end = start + length * E; e < end; e += E) {
      if (cells[e + 2]! >>> 1 !== slot) continue;
      const last = end - E;
      cells[e] = cells[last]!;
      cells[e + 1] = cells[last + 1]!;
      cells[e + 2] = cells[last + 2]!;
      hs[h * 3 + 1] = length - 1;
      break;
    }
    if (hs[h * 3 + 1] === 0) {
      this.cells.free(hs[h * 3 + 2]!);
      this.handleOf.delete(bucket);
      this.freeHandles.push(h);
    }
  }

  /** Compacts the pools that changes left half empty. */
  private reclaim(): void {
    if (this.conn.wasteful()) {
      this.conn.compact((move) => {
        for (let m = 0; m < this.slots * M; m += M) {
          if (this.meta[m + ID] !== 0) this.meta[m + CONN_START] = move(this.meta[m + CONN_START]!, this.meta[m + CONN_COUNT_OWNER]! >>> 16);
        }
      });
    }
    if (this.names.wasteful()) {
      this.names.compact((move) => {
        for (let m = 0; m < this.slots * M; m += M) {
          if (this.meta[m + ID] !== 0) this.meta[m + NAME_START] = move(this.meta[m + NAME_START]!, this.meta[m + NAME_LEN]!);
        }
      });
    }
    if (this.cells.wasteful()) {
      // In grid order, as a build lays them out.
      const buckets = [...this.handleOf.keys()].sort((a, b) => a - b);
      this.cells.compact((move) => {
        for (const bucket of buckets) {
          const h = this.handleOf.get(bucket)!;
          this.handles[h * 3] = move(this.handles[h * 3]!, this.handles[h * 3 + 1]!);
          this.handles[h * 3 + 2] = this.handles[h * 3 + 1]!;
        }
      });
    }
  }
}
