/**
 * Keeps station-get-surface's in-memory index (surface-index.ts) equal to the database, and says
 * when it may answer. The database stays the truth; the index is a cache that answers only when
 * it is surely current, and the SQL query (surface.ts) answers otherwise.
 *
 * - Built on the first surface query (processes that never answer one, the CLI, pay nothing), in
 *   slices of BUILD_SLICE stations per event-loop turn, each slice read in one read transaction,
 *   from `surface_stations` in its key order: stations near each other get neighbouring slots,
 *   and an answer's stations share cache lines (a build in id order made answers 50% slower).
 *   New stations whose rows still wait in `surface_staging` (migration 880) are read first.
 * - This connection's changes: TEMP triggers (in memory, on this connection only, nothing written
 *   to the file) log every station and connector change in `temp.surface_changes`, in the same
 *   transaction as the change. Every write batch reads and empties that log before its COMMIT,
 *   reloading the changed stations as the transaction sees them, and applies it to the index once
 *   the COMMIT succeeded: a rolled-back write leaves neither log rows nor index changes.
 * - Status changes, the most frequent write, are not logged: the status post (SqlitePoi.setStatus,
 *   the only statement of this connection that sets `connectors.status`) tells `statusChanged`
 *   through the write queue's AfterCommit, so only a committed change is applied, in place. The
 *   trigger and the log's read and delete cost 3.5-5 µs a status (storage alone).
 * - Nor are the rows of a station station-post creates: it holds the log's insert triggers as it
 *   holds migration 800's (`station_post_hold`, 840), and tells `stationCreated` the station as it
 *   wrote it, through AfterCommit too. Every other change of stations and connectors is logged.
 * - Another connection's changes (a CLI process writing to the same file): SQLite's
 *   `data_version` changes; the index is dropped and rebuilt, the SQL query answering meanwhile.
 * - A change logged outside the write queue (none is made today) makes the SQL query answer until
 *   the next write batch applies it.
 */
import type Database from 'better-sqlite3';
import type { ConnectorStatusValue, SurfaceQuery, SurfaceStationRecord } from '../../poi.js';
import type { SqliteDatabase } from '../database.js';
import { SurfaceIndex, type IndexedStation } from '../../surface/surface-index.js';
import { connectorsOfRow, CURRENT_STATUSES } from './surface.js';

/** The columns of a surface row between its key and its statuses, in SurfaceRow's order. */
const ROW_COLUMNS = 's.name, s.lat, s.lon, s.is_private, s.partner_id, s.owner_type, s.static_changed_at, s.connector_ids';

/** Stations loaded per event-loop turn while building: about 40 ms of a 2-core machine's CPU. */
const BUILD_SLICE = 10_000;

/** While station-post holds its triggers (migration 840) it tells the index of the station it creates itself. */
const NOT_HELD_BY_POST = 'NOT EXISTS (SELECT 1 FROM main.station_post_hold)';

// Named apart from migration 800's triggers: an unqualified DROP TRIGGER looks in temp first.
const TEMP_SCHEMA = `
CREATE TEMP TABLE IF NOT EXISTS surface_changes (
  seq INTEGER PRIMARY KEY,
  station_id INTEGER NOT NULL
);
CREATE TEMP TRIGGER IF NOT EXISTS live_surface_station_added AFTER INSERT ON main.stations WHEN ${NOT_HELD_BY_POST} BEGIN
  INSERT INTO surface_changes (station_id) VALUES (NEW.id);
END;
CREATE TEMP TRIGGER IF NOT EXISTS live_surface_station_changed AFTER UPDATE ON main.stations BEGIN
  INSERT INTO surface_changes (station_id) VALUES (OLD.id);
  INSERT INTO surface_changes (station_id) SELECT NEW.id WHERE NEW.id IS NOT OLD.id;
END;
CREATE TEMP TRIGGER IF NOT EXISTS live_surface_station_removed AFTER DELETE ON main.stations BEGIN
  INSERT INTO surface_changes (station_id) VALUES (OLD.id);
END;
CREATE TEMP TRIGGER IF NOT EXISTS live_surface_connector_added AFTER INSERT ON main.connectors WHEN ${NOT_HELD_BY_POST} BEGIN
  INSERT INTO surface_changes (station_id) VALUES (NEW.station_id);
END;
CREATE TEMP TRIGGER IF NOT EXISTS live_surface_connector_removed AFTER DELETE ON main.connectors BEGIN
  INSERT INTO surface_changes (station_id) VALUES (OLD.station_id);
END;
CREATE TEMP TRIGGER IF NOT EXISTS live_surface_connector_changed AFTER UPDATE OF id, station_id, position ON main.connectors BEGIN
  INSERT INTO surface_changes (station_id) VALUES (OLD.station_id);
  INSERT INTO surface_changes (station_id) SELECT NEW.station_id WHERE NEW.station_id IS NOT OLD.station_id;
END;
`;

type StationRow = [id: number, name: string, lat: number, lon: number, isPrivate: number, partnerId: number, ownerType: string | null, staticChangedAt: number];
type ConnectorRow = [id: number, status: ConnectorStatusValue];
type SurfaceRow = [cell: number, id: number, name: string, lat: number, lon: number, isPrivate: number, partnerId: number, ownerType: string | null, staticChangedAt: number, connectorIds: string, statuses: string];

const STATION_COLUMNS = 'id, name, latitude, longitude, is_private, partner_id, owner_type, static_changed_at';

/** The statements of the index's upkeep, prepared once the temp schema exists. */
interface Statements {
  changes: Database.Statement;
  clearChanges: Database.Statement;
  anyChange: Database.Statement;
  station: Database.Statement;
  connectorsOf: Database.Statement;
  slice: Database.Statement;
  stagedSlice: Database.Statement;
  dataVersion: Database.Statement;
}

/**
 * The in-memory surface of one SQLite connection. Example:
 * `const live = new LiveSurface(s); await s.read(() => live.answer(q) ?? sqlQueries.run(q))`.
 */
export class LiveSurface {
  private index = new SurfaceIndex();
  private st: Statements | undefined;
  private ready = false;
  /** Bumped by every (re)build: a slice of an abandoned build does nothing. */
  private generation = 0;
  /** `data_version` when the current build began. */
  private version = -1;
  /** How many builds were started (tests and logs). */
  builds = 0;

  constructor(private readonly s: SqliteDatabase) {}

  /**
   * Starts keeping the index when not yet started: installs the change log and the commit hook,
   * and begins the build. Call outside any transaction. Example: `live.start()`.
   */
  start(): void {
    if (this.st || this.s.db.inTransaction) return;
    const db = this.s.db;
    db.exec(TEMP_SCHEMA);
    this.st = {
      changes: db.prepare('SELECT station_id FROM temp.surface_changes').pluck(),
      clearChanges: db.prepare('DELETE FROM temp.surface_changes'),
      anyChange: db.prepare('SELECT EXISTS (SELECT 1 FROM temp.surface_changes)').pluck(),
      station: db.prepare(`SELECT ${STATION_COLUMNS} FROM main.stations WHERE id = ? AND deleted = 0`).raw(),
      connectorsOf: db.prepare('SELECT id, status FROM main.connectors WHERE station_id = ? ORDER BY position').raw(),
      slice: db.prepare(`SELECT s.cell, s.id, ${ROW_COLUMNS}, ${CURRENT_STATUSES}
        FROM main.surface_stations s WHERE (s.cell, s.id) > (?, ?) ORDER BY s.cell, s.id LIMIT ? + 0`).raw(),
      stagedSlice: db.prepare(`SELECT s.cell, s.id, ${ROW_COLUMNS}, ${CURRENT_STATUSES}
        FROM main.surface_staging s WHERE s.id > ? ORDER BY s.id LIMIT ? + 0`).raw(),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
    };
    this.s.onCommit(() => this.collect());
    this.rebuild();
  }

  /**
   * The index's answer to `q`, or undefined when the SQL query must answer (index not built yet,
   * another process changed the file, or a box too large). Call inside a read.
   */
  answer(q: SurfaceQuery): { stations: SurfaceStationRecord[]; hasMore: boolean } | undefined {
    const st = this.st;
    if (!st || !this.ready) return undefined;
    if (st.dataVersion.get() !== this.version) {
      this.rebuild();
      return undefined;
    }
    if (st.anyChange.get()) return undefined;
    try {
      return this.index.query(q);
    } catch {
      // A fault of the index must not fail the request: SQL answers, and the index starts over.
      this.rebuild();
      return undefined;
    }
  }

  /** Whether the index is kept (started): only then do writers tell it their changes. */
  get started(): boolean {
    return this.st !== undefined;
  }

  /**
   * Applies one committed status change, in place (SqlitePoi.setStatus calls it through the write
   * queue's AfterCommit). During a rebuild it reaches the new index when the station is loaded
   * already; a station loaded later is read with it. Example: `live.statusChanged(7, 12, 'Occupied')`.
   */
  statusChanged(stationId: number, connectorId: number, status: ConnectorStatusValue): void {
    this.applyTold((index) => index.setStatus(stationId, connectorId, status));
  }

  /**
   * Adds a station station-post created, once committed (SqlitePoi.saveStation calls it through the
   * write queue's AfterCommit): its rows are not logged, station-post holding the change log's
   * triggers as it holds migration 800's. During a rebuild it reaches the new index, which may read
   * the station again; an upsert of the same rows changes nothing. Example: `live.stationCreated(s)`.
   */
  stationCreated(station: IndexedStation): void {
    this.applyTold((index) => index.upsert(station));
  }

  /** Applies a committed change its writer told (not logged) while the index is kept; a fault of the index starts it over. */
  private applyTold(change: (index: SurfaceIndex) => void): void {
    if (!this.st) return;
    try {
      change(this.index);
    } catch {
      this.rebuild();
    }
  }

  /** Whether the index answers now (tests). */
  isReady(): boolean {
    return this.ready;
  }

  /** Resolves once the index answers, with how many stations it holds (polls: builds are rare). */
  async whenReady(): Promise<number> {
    while (!this.ready) {
      if (this.s.isClosed()) throw new Error('storage closed before the surface index was built');
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.index.size;
  }

  /** Drops the index and builds it again from the database, slice by slice. */
  private rebuild(): void {
    const generation = ++this.generation;
    this.ready = false;
    this.index = new SurfaceIndex();
    this.builds++;
    // Staged rows first (migration 880): a staged row leaves only into surface_stations, so one
    // moved during the build is read there later if it was not read here before.
    let staged: number | undefined = -1;
    let after: [cell: number, id: number] | undefined;
    let first = true;
    const next = (): void => {
      this.s
        .read(() => {
          if (generation !== this.generation) return false;
          const version = this.st!.dataVersion.get() as number;
          if (first) (this.version = version), (first = false);
          else if (version !== this.version) return this.rebuild(), false;
          if (staged !== undefined) {
            staged = this.loadStaged(staged);
            return true;
          }
          after = this.loadSlice(after ?? [-1, -1]);
          if (!after) (this.ready = true), this.index.trim();
          return after !== undefined;
        })
        .then((more) => {
          if (more) setImmediate(next);
        })
        // Storage closed: the index goes with it.
        .catch(() => undefined);
    };
    next();
  }

  /** Loads up to BUILD_SLICE stations after key `after` of surface_stations; the last key, or undefined when done. */
  private loadSlice(after: [number, number]): [number, number] | undefined {
    const rows = this.upsertRows(this.st!.slice.all(after[0], after[1], BUILD_SLICE) as SurfaceRow[]);
    const last = rows[rows.length - 1];
    return rows.length < BUILD_SLICE || !last ? undefined : [last[0], last[1]];
  }

  /** Loads up to BUILD_SLICE staged stations after id `after`; the last id, or undefined when done. */
  private loadStaged(after: number): number | undefined {
    const rows = this.upsertRows(this.st!.stagedSlice.all(after, BUILD_SLICE) as SurfaceRow[]);
    const last = rows[rows.length - 1];
    return rows.length < BUILD_SLICE || !last ? undefined : last[1];
  }

  private upsertRows(rows: SurfaceRow[]): SurfaceRow[] {
    for (const [, id, name, latitude, longitude, isPrivate, partnerId, ownerType, staticChangedAt, connectorIds, statuses] of rows) {
      this.index.upsert({ id, name, latitude, longitude, isPrivate: isPrivate !== 0, partnerId, ownerType, staticChangedAt, connectors: connectorsOfRow(connectorIds, statuses) });
    }
    return rows;
  }

  /**
   * Inside a write batch, before its COMMIT: empties the change log and reads what changed; the
   * returned function applies it once committed. A failure here must not fail the batch: the
   * index is dropped and rebuilt instead.
   */
  private collect(): (() => void) | undefined {
    const st = this.st!;
    try {
      const changed = st.changes.all() as number[];
      if (changed.length === 0) return undefined;
      st.clearChanges.run();
      const stations: Array<IndexedStation | number> = [];
      for (const id of new Set(changed)) {
        const row = st.station.get(id) as StationRow | undefined;
        stations.push(row ? stationOf(row, (st.connectorsOf.all(id) as ConnectorRow[]).map(([cid, status]) => ({ id: cid, status }))) : id);
      }
      const generation = this.generation;
      return () => {
        if (generation !== this.generation) return; // a rebuild began meanwhile and reads the database itself
        try {
          for (const s of stations) typeof s === 'number' ? this.index.remove(s) : this.index.upsert(s);
        } catch {
          this.rebuild();
        }
      };
    } catch {
      return () => this.rebuild();
    }
  }
}

function stationOf([id, name, latitude, longitude, isPrivate, partnerId, ownerType, staticChangedAt]: StationRow, connectors: IndexedStation['connectors']): IndexedStation {
  return { id, name, latitude, longitude, isPrivate: isPrivate !== 0, partnerId, ownerType, staticChangedAt, connectors };
}
