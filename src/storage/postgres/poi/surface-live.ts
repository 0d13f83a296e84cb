/**
 * station-get-surface from memory on PostgreSQL: each hub process keeps the same in-memory index as
 * the SQLite hub (storage/surface/surface-index.ts), fed by the change log of migration 920, and
 * answers a city box without the database's nearest-first scan. At a million stations that scan
 * cost PostgreSQL about 4 ms a query on this project's 2-core machine, 200-280 queries a second
 * through the hub (bench/README.md, PostgreSQL).
 *
 * Exact, not eventually consistent: before answering, a query waits for a catch-up that started
 * after it arrived. A catch-up is one statement (`oioi_surface_changes`): the stations changed by
 * transactions the previous catch-up's snapshot did not see, reloaded as the new snapshot sees
 * them. So an answer is the database's as of a moment after the request came in, whichever process
 * wrote. Queries arriving while a catch-up runs share the next one; at most two are in flight.
 *
 * - Built on the first surface query (or `prepareSurface` at hub start): the snapshot is taken
 *   first, the stations are then read in slices (their ids first, sorted by a Z-order key so that
 *   neighbours get neighbouring slots, then their rows), and a catch-up from that first snapshot
 *   covers whatever changed during the build. Until built, `oioi_surface` answers.
 * - Rebuilt when the log may have lost rows: a copy or a TRUNCATE (`epoch`), a restarted server
 *   (the log is UNLOGGED), or a catch-up older than STALE_MS (the log is pruned).
 * - Pruning: every PRUNE_MS each process deletes the log rows of transactions already complete in
 *   a snapshot it received at least KEEP_MS ago. A reader whose last catch-up was sent less than
 *   STALE_MS ago (< KEEP_MS) needs only rows of transactions its snapshot did not see, which were
 *   not complete then, so none of those is ever pruned under it. Both sides measure elapsed time
 *   on their own clocks; only the clocks' rates must agree.
 */
import { performance } from 'node:perf_hooks';
import type { ConnectorReservation, ConnectorStatusValue, SurfaceQuery, SurfaceStationRecord } from '../../poi.js';
import { SurfaceIndex, type IndexedStation } from '../../surface/surface-index.js';
import type { NamedStatement, PgDatabase } from '../database.js';
import { STATION_JSON } from '../migrations/920-surface-log.js';

/** How often an idle process catches up, so that a query's own catch-up stays short. */
const TICK_MS = 1_000;
/** A catch-up sent longer ago than this may have lost rows to pruning: rebuild instead. */
const STALE_MS = 30_000;
/** Log rows are pruned once their transactions were complete in a snapshot this old. */
const KEEP_MS = 60_000;
const PRUNE_MS = 10_000;
/** How often a snapshot is kept for the pruner. */
const SNAPSHOT_EVERY_MS = 1_000;
/** Station ids per statement while building. */
const ID_SLICE = 50_000;
const ROW_SLICE = 10_000;
/** After a build failed (the database unreachable, say), the function answers this long before the next try. */
const RETRY_BUILD_MS = 60_000;
/** Larger than any transaction id: asks only for the snapshot. */
const NO_XID = '9223372036854775807';

const CHANGES: NamedStatement = { name: 'oioi_surface_changes', text: 'SELECT oioi_surface_changes($1::bigint, $2::bigint[]) AS a' };
const IDS: NamedStatement = {
  name: 'oioi_surface_build_ids',
  text: 'SELECT id, latitude, longitude FROM stations WHERE id > $1 AND deleted = 0 ORDER BY id LIMIT $2',
};
// The build reads plain rows (STATION_JSON, a subquery per station, took twice as long).
const STATIONS: NamedStatement = {
  name: 'oioi_surface_build_stations',
  text: `SELECT id, name, latitude, longitude, is_private, partner_id, owner_type, static_changed_at
    FROM stations WHERE id = ANY($1::bigint[]) AND deleted = 0`,
};
const CONNECTORS: NamedStatement = {
  name: 'oioi_surface_build_connectors',
  text: 'SELECT station_id, id, status FROM connectors WHERE station_id = ANY($1::bigint[]) ORDER BY station_id, position',
};
const RESERVATIONS: NamedStatement = {
  name: 'oioi_surface_build_reservations',
  text: `SELECT c.station_id, r.connector_id, r.partner_id, r.evco_id, r.starts_at, r.ends_at
    FROM reservations r JOIN connectors c ON c.id = r.connector_id WHERE r.state = 'active'`,
};
const PRUNE: NamedStatement = {
  name: 'oioi_surface_log_prune',
  text: 'DELETE FROM surface_log WHERE xid < $1::bigint AND NOT (xid = ANY($2::bigint[]))',
};

/** A reservation in state active: [connector id, partner id, EVCO ID, starts at, ends at]; shown while its window covers the answer's time. */
type ReservationTuple = [connectorId: number, partnerId: number, evcoId: string | null, startsAt: number, endsAt: number];
/** STATION_JSON's row (migration 920). */
type StationTuple = [
  id: number, name: string, lat: number, lon: number, isPrivate: number, partnerId: number, ownerType: string | null, staticChangedAt: number,
  connectors: Array<[number, ConnectorStatusValue]>, reservations: ReservationTuple[] | null,
];

/** What a snapshot did not see yet: transactions from `xmax` on, and those in progress (`xip`). */
interface Snapshot {
  xmax: string;
  xip: string[];
}

interface Changes extends Snapshot {
  epoch: number;
  server: string;
  /** Stations to reload: those live are in `stations`, the others are gone. */
  changed: number[];
  stations: StationTuple[];
  /** Connectors whose status alone changed: [station id, connector id, status]. */
  statuses: Array<[number, number, ConnectorStatusValue]>;
}

/**
 * The in-memory surface of one hub process on PostgreSQL. Example:
 * `const live = new PgLiveSurface(db); live.start(); const found = await live.answer(q) ?? await surface(db, q)`.
 */
export class PgLiveSurface {
  private index = new SurfaceIndex();
  /** Active reservations by station, for the stations that have any (a connector has at most one). */
  private reservations = new Map<number, ReservationTuple[]>();
  private ready = false;
  private started = false;
  private stopped = false;
  /** Bumped by every (re)build: work of an abandoned build or catch-up does nothing. */
  private generation = 0;
  private seen: Snapshot = { xmax: NO_XID, xip: [] };
  private epoch = -1;
  private server = '';
  /** When the catch-up that gave `seen` was sent (performance.now()). */
  private seenSentAt = 0;
  /** Snapshots received, oldest first, with when they came back: the pruner's. */
  private snapshots: Array<{ at: number; snapshot: Snapshot }> = [];
  private running: Promise<boolean> | undefined;
  private queued: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastPrune = performance.now();
  /** How many builds were started (tests, logs). */
  builds = 0;
  /** How many catch-ups ran (tests). */
  catchUps = 0;

  private readonly staleMs: number;
  private readonly keepMs: number;
  private readonly tickMs: number;

  /** The times for tests: when a reader rebuilds, how old a snapshot the pruner uses, how often an idle reader catches up. */
  constructor(
    private readonly db: PgDatabase,
    { staleMs = STALE_MS, keepMs = KEEP_MS, tickMs = TICK_MS }: { staleMs?: number; keepMs?: number; tickMs?: number } = {},
  ) {
    if (staleMs >= keepMs) throw new RangeError('a reader must rebuild before the log rows it needs can be pruned: staleMs < keepMs');
    this.staleMs = staleMs;
    this.keepMs = keepMs;
    this.tickMs = tickMs;
  }

  /** Starts keeping the index when not yet started. Example: `live.start()`. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.rebuild();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref();
  }

  /** Stops keeping it (storage closing). */
  stop(): void {
    this.stopped = true;
    this.generation++;
    this.ready = false;
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * The index's answer to `q`, current as of a snapshot taken after the call; undefined when
   * `oioi_surface` must answer (not built, a box too large, a connector filter, the database failing).
   */
  async answer(q: SurfaceQuery, reservationsAt?: number): Promise<{ stations: SurfaceStationRecord[]; hasMore: boolean; reservations?: ConnectorReservation[] } | undefined> {
    if (!this.ready || !this.index.covers(q)) return undefined;
    if (!(await this.catchUp())) return undefined;
    if (!this.ready) return undefined;
    try {
      const found = this.index.query(q);
      if (!found || reservationsAt === undefined) return found;
      return { ...found, reservations: this.activeReservations(found.stations, reservationsAt) };
    } catch {
      // A fault of the index must not fail the request: the function answers, and the index starts over.
      this.rebuild();
      return undefined;
    }
  }

  /** The reservations of these stations' connectors whose window covers `at`, as `activeReservations` reads them. */
  private activeReservations(stations: SurfaceStationRecord[], at: number): ConnectorReservation[] {
    const out: ConnectorReservation[] = [];
    if (this.reservations.size === 0) return out;
    for (const s of stations) {
      for (const [connectorId, partnerId, evcoId, startsAt, endsAt] of this.reservations.get(s.id) ?? []) {
        if (startsAt <= at && endsAt > at) out.push({ connectorId, partnerId, evcoId, endsAt });
      }
    }
    return out;
  }

  /** Whether the index answers now (tests). */
  isReady(): boolean {
    return this.ready;
  }

  /** Resolves once the index answers, with how many stations it holds. */
  async whenReady(): Promise<number> {
    while (!this.ready) {
      if (this.stopped) throw new Error('storage closed before the surface index was built');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.index.size;
  }

  /**
   * Resolves true after a catch-up that was sent after this call, false when it could not be made
   * (the index is rebuilding). Concurrent callers share the next catch-up.
   */
  catchUp(): Promise<boolean> {
    if (!this.running) {
      const run = this.catchUpOnce().finally(() => {
        if (this.running === run) this.running = undefined;
      });
      return (this.running = run);
    }
    this.queued ??= this.running.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      this.queued = undefined;
      return this.catchUp();
    });
    return this.queued;
  }

  private async catchUpOnce(): Promise<boolean> {
    const generation = this.generation;
    const sentAt = performance.now();
    if (sentAt - this.seenSentAt > this.staleMs) {
      this.rebuild();
      return false;
    }
    let a: Changes;
    try {
      a = await this.changes(this.seen);
    } catch {
      return false;
    }
    if (generation !== this.generation) return false;
    if (a.epoch !== this.epoch || a.server !== this.server) {
      this.rebuild();
      return false;
    }
    try {
      this.apply(a);
    } catch {
      this.rebuild();
      return false;
    }
    this.remember(a, sentAt);
    this.catchUps++;
    return true;
  }

  private async changes(after: Snapshot): Promise<Changes> {
    const [row] = await this.db.query<{ a: Changes }>(CHANGES, [after.xmax, after.xip]);
    const a = row!.a;
    // bigint ids come back as JSON numbers; xids are kept as decimal text (past 2^53 one day).
    return { ...a, xmax: String(a.xmax), xip: a.xip.map(String) };
  }

  private apply(a: Changes): void {
    const live = new Set<number>();
    for (const t of a.stations) {
      live.add(t[0]);
      this.upsert(t);
    }
    const reloaded = new Set(a.changed);
    for (const id of a.changed) {
      if (!live.has(id)) this.index.remove(id), this.reservations.delete(id);
    }
    // A station not held (deleted) ignores it; a reloaded one already has it.
    for (const [stationId, connectorId, status] of a.statuses) {
      if (!reloaded.has(stationId)) this.index.setStatus(stationId, connectorId, status);
    }
  }

  private upsert(t: StationTuple): void {
    this.index.upsert(stationOf(t));
    if (t[9]) this.reservations.set(t[0], t[9]);
    else this.reservations.delete(t[0]);
  }

  private remember(a: Changes, sentAt: number): void {
    this.seen = { xmax: a.xmax, xip: a.xip };
    this.seenSentAt = sentAt;
    // One a second is enough for the pruner (under load there are thousands of catch-ups a second).
    const now = performance.now();
    const last = this.snapshots[this.snapshots.length - 1];
    if (!last || now - last.at >= Math.min(SNAPSHOT_EVERY_MS, this.keepMs / 10)) this.snapshots.push({ at: now, snapshot: this.seen });
    // Keep what the pruner may still pick: the newest snapshot older than KEEP_MS, and those after it.
    const cut = now - this.keepMs;
    let drop = 0;
    while (drop + 1 < this.snapshots.length && this.snapshots[drop + 1]!.at <= cut) drop++;
    if (drop > 0) this.snapshots.splice(0, drop);
  }

  private tick(): void {
    if (this.stopped || !this.ready) return;
    void this.catchUp().catch(() => undefined);
    if (performance.now() - this.lastPrune >= PRUNE_MS) void this.prune().catch(() => undefined);
  }

  /** Deletes log rows of transactions complete in the newest snapshot received at least KEEP_MS ago. */
  async prune(): Promise<void> {
    this.lastPrune = performance.now();
    const cut = performance.now() - this.keepMs;
    let pick: Snapshot | undefined;
    for (const s of this.snapshots) if (s.at <= cut) pick = s.snapshot;
    if (pick) await this.db.query(PRUNE, [pick.xmax, pick.xip]);
  }

  /** Drops the index and builds it again (see the file's comment); the function answers meanwhile. */
  private rebuild(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    this.ready = false;
    this.index = new SurfaceIndex();
    this.reservations = new Map();
    this.builds++;
    this.build(generation).then(
      (done) => {
        if (done && generation === this.generation) this.ready = true;
      },
      (error) => {
        // The function answers meanwhile. A station id the index cannot hold (RangeError) stays so:
        // no retry. Anything else (the database unreachable, say) is tried again later.
        if (generation !== this.generation || this.stopped || error instanceof RangeError) return;
        setTimeout(() => generation === this.generation && this.rebuild(), RETRY_BUILD_MS).unref();
      },
    );
  }

  private async build(generation: number): Promise<boolean> {
    const sentAt = performance.now();
    const first = await this.changes({ xmax: NO_XID, xip: [] });
    if (generation !== this.generation) return false;
    this.epoch = first.epoch;
    this.server = first.server;
    this.remember(first, sentAt);
    const ids = await this.idsInMapOrder(generation);
    if (!ids) return false;
    const reservations = new Map<number, ReservationTuple[]>();
    for (const r of await this.db.query<{ station_id: number; connector_id: number; partner_id: number; evco_id: string | null; starts_at: number; ends_at: number }>(RESERVATIONS)) {
      const list = reservations.get(r.station_id) ?? [];
      list.push([r.connector_id, r.partner_id, r.evco_id, r.starts_at, r.ends_at]);
      reservations.set(r.station_id, list);
    }
    for (let i = 0; i < ids.length; i += ROW_SLICE) {
      const slice = ids.slice(i, i + ROW_SLICE);
      const [stations, connectors] = await Promise.all([
        this.db.query<{ id: number; name: string; latitude: number; longitude: number; is_private: number; partner_id: number; owner_type: string | null; static_changed_at: number }>(STATIONS, [slice]),
        this.db.query<{ station_id: number; id: number; status: ConnectorStatusValue }>(CONNECTORS, [slice]),
      ]);
      if (generation !== this.generation) return false;
      const byId = new Map(stations.map((r) => [r.id, r]));
      const connectorsOf = new Map<number, Array<[number, ConnectorStatusValue]>>();
      for (const c of connectors) {
        const list = connectorsOf.get(c.station_id);
        if (list) list.push([c.id, c.status]);
        else connectorsOf.set(c.station_id, [[c.id, c.status]]);
      }
      for (const id of slice) {
        const r = byId.get(id);
        if (!r) continue; // deleted since its id was read: the catch-up says so
        this.upsert([r.id, r.name, r.latitude, r.longitude, r.is_private, r.partner_id, r.owner_type, r.static_changed_at, connectorsOf.get(id) ?? [], reservations.get(id) ?? null]);
      }
      await new Promise((r) => setImmediate(r)); // let requests in between slices
      // A long build catches up on the way, before the log rows it needs could be pruned.
      if (performance.now() - this.seenSentAt > this.staleMs / 3 && !(await this.catchUpOnce())) return false;
    }
    this.index.trim();
    // What changed while the slices were read (they saw later snapshots; reloading is idempotent).
    const caughtUp = await this.catchUpOnce();
    return caughtUp && generation === this.generation;
  }

  /** Every live station's id, ordered so that stations near each other come together. */
  private async idsInMapOrder(generation: number): Promise<number[] | undefined> {
    const ids: number[] = [];
    const keys: number[] = [];
    for (let after = 0; ; ) {
      const rows = await this.db.query<{ id: number; latitude: number; longitude: number }>(IDS, [after, ID_SLICE]);
      if (generation !== this.generation) return undefined;
      for (const r of rows) ids.push(r.id), keys.push(zOrder(r.latitude, r.longitude));
      if (rows.length < ID_SLICE) break;
      after = rows[rows.length - 1]!.id;
    }
    const order = Array.from(ids.keys()).sort((x, y) => keys[x]! - keys[y]! || ids[x]! - ids[y]!);
    return order.map((i) => ids[i]!);
  }
}

/** Interleaves 16 bits of each coordinate's position on a world grid (about 600 x 300 m cells). */
function zOrder(lat: number, lon: number): number {
  const x = Math.max(0, Math.min(65535, Math.floor(((lon + 180) / 360) * 65536)));
  const y = Math.max(0, Math.min(65535, Math.floor(((lat + 90) / 180) * 65536)));
  let z = 0;
  for (let b = 15; b >= 0; b--) z = z * 4 + (((y >> b) & 1) << 1) + ((x >> b) & 1);
  return z;
}

function stationOf([id, name, latitude, longitude, isPrivate, partnerId, ownerType, staticChangedAt, connectors]: StationTuple): IndexedStation {
  return {
    id, name, latitude, longitude, isPrivate: isPrivate !== 0, partnerId, ownerType, staticChangedAt,
    connectors: connectors.map(([cid, status]) => ({ id: cid, status })),
  };
}
