/** SQLite implementation of PoiRepository: statements prepared once per connection. */
import type Database from 'better-sqlite3';
import { connectorIdsOf, type ConnectorStatusValue, type PoiRepository, type StationInput, type SurfaceQuery } from '../poi.js';
import type { SqliteDatabase } from './database.js';
import { saveStatements, saveStationTx, type SaveStatements } from './poi/save-station.js';
import { SurfaceQueries } from './poi/surface.js';
import { PoiReads } from './poi/reads.js';
import { LiveSurface } from './poi/surface-live.js';

/** Stations and connectors on SQLite. Example: `await new SqlitePoi(db).surface({...})`. */
export class SqlitePoi implements PoiRepository {
  private readonly save: SaveStatements;
  private readonly surfaceQueries: SurfaceQueries;
  private readonly reads: PoiReads;
  /** The stations in memory that answer surface queries once built (poi/surface-live.ts). */
  readonly live: LiveSurface;
  /** The owned connectors of an EVSE key, as [id, station id, status, has a status time, newest use carried]. */
  private readonly ownedConnectors: Database.Statement;
  /** One connector's new status by row id (its time only when the status changes or had none), and the use it carries. */
  private readonly setStatusStmt: Database.Statement;
  /** A use of a station, chained to the previous one its connector carried (sqlite/usage-chain.ts). */
  private readonly recordUsage: Database.Statement;

  constructor(private readonly s: SqliteDatabase) {
    const db = s.db;
    this.save = saveStatements(db);
    this.surfaceQueries = new SurfaceQueries(db);
    this.reads = new PoiReads(db);
    this.live = new LiveSurface(s);
    // One look-up of the key decides everything; the writes then go by row id. (Before: a count, an
    // INSERT ... SELECT and an UPDATE, each finding the key's connectors and their station again.)
    this.ownedConnectors = db.prepare(`SELECT c.id, c.station_id, c.status, c.status_changed_at IS NOT NULL, c.usage_head FROM connectors c
      JOIN stations s ON s.id = c.station_id WHERE c.evse_key = ? AND s.partner_identifier = ? AND s.deleted = 0`).raw();
    // Positional parameters (the status twice): binding by name read an object per run, 0.3 µs more.
    this.setStatusStmt = db.prepare(`UPDATE connectors SET status = ?,
      status_changed_at = CASE WHEN status <> ? OR status_changed_at IS NULL THEN ? ELSE status_changed_at END,
      usage_head = coalesce(?, usage_head) WHERE id = ?`);
    this.recordUsage = db.prepare('INSERT INTO station_usage (station_id, at, prev) VALUES (?, ?, ?)');
  }

  saveStation(input: StationInput) {
    return this.s.write((_db, afterCommit) => {
      // A new station reaches the in-memory surface from here, once committed (surface-live.ts): the
      // change log's triggers stand aside while station-post holds its own (migration 840).
      const live = this.live;
      return saveStationTx(this.save, input, live.started ? (station) => afterCommit(() => live.stationCreated(station)) : undefined);
    });
  }

  setStatus(ownerIdentifier: string, evseKey: string, status: ConnectorStatusValue, at: number): Promise<number> {
    return this.s.write((_db, afterCommit) => {
      const owned = this.ownedConnectors.all(evseKey, ownerIdentifier) as Array<[number, number, string, number, number | null]>;
      // A connector that already has the status (and a time) is left alone: an UPDATE to the same
      // values still rewrites its page, a random one of the table's, into the WAL and the fsync.
      const changing = owned.filter(([, , was, timed]) => was !== status || !timed);
      if (changing.length === 0) return owned.length;
      // Usage counts a station once per post that makes any of its connectors Occupied; the first
      // such connector of the station carries the use as its station's newest.
      const used = status === 'Occupied' ? new Set<number>() : undefined;
      for (const [id, stationId, was, , head] of changing) {
        let use: number | null = null;
        if (used && was !== 'Occupied' && !used.has(stationId)) {
          use = Number(this.recordUsage.run(stationId, at, head).lastInsertRowid);
          used.add(stationId);
        }
        this.setStatusStmt.run(status, status, at, use, id);
      }
      // The in-memory surface learns the change from here, once committed (surface-live.ts): this is
      // the only statement of the connection that sets a status.
      const live = this.live;
      if (live.started) {
        const moved = changing.filter(([, , was]) => was !== status);
        if (moved.length) afterCommit(() => { for (const [id, stationId] of moved) live.statusChanged(stationId, id, status); });
      }
      return owned.length;
    });
  }

  // The apps' queries run as queued reads: the windows of one surface query, the statements of
  // one by-ids look-up and those of the other requests of the same turn share one read transaction.
  // The first one starts building the in-memory index; until it is built (and whenever it may be
  // stale or the box is too large for it) the SQL query answers, with the same answer.
  async surface(query: SurfaceQuery, reservationsAt?: number) {
    this.live.start();
    return this.s.read(() => {
      const found = this.live.answer(query) ?? this.surfaceQueries.run(query);
      if (reservationsAt === undefined) return found;
      return { ...found, reservations: this.reads.activeReservations(connectorIdsOf(found.stations), reservationsAt) };
    });
  }

  async prepareSurface() {
    this.live.start();
    return { stations: await this.live.whenReady() };
  }

  async stationsByIds(ids: number[], askerPartnerId: number) {
    return this.s.read(() => this.reads.byIds(ids, askerPartnerId));
  }

  async activeReservations(connectorIds: number[], at: number) {
    return this.s.read(() => this.reads.activeReservations(connectorIds, at));
  }

  async usage(stationId: number, at: number) {
    return this.s.read(() => this.reads.usage(stationId, at));
  }
}
