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
  private readonly setStatusStmt: Database.Statement;
  private readonly recordUsage: Database.Statement;
  /** How many connectors a status post names, and how many of them it changes. */
  private readonly statusNow: Database.Statement;

  constructor(private readonly s: SqliteDatabase) {
    const db = s.db;
    this.save = saveStatements(db);
    this.surfaceQueries = new SurfaceQueries(db);
    this.reads = new PoiReads(db);
    this.live = new LiveSurface(s);
    // EXISTS rather than IN (owner's stations): a CPO may own 100k stations; this stays an index probe.
    const owned = 'EXISTS (SELECT 1 FROM stations s WHERE s.id = connectors.station_id AND s.partner_identifier = @owner AND s.deleted = 0)';
    // A connector that already has the status (and its time) is left alone: an UPDATE to the same
    // values still rewrites its page, a random one of the table's, into the WAL and the fsync.
    const changes = '(status IS NOT @status OR status_changed_at IS NULL)';
    this.setStatusStmt = db.prepare(`UPDATE connectors SET status = @status,
      status_changed_at = CASE WHEN status <> @status OR status_changed_at IS NULL THEN @at ELSE status_changed_at END
      WHERE evse_key = @key AND ${owned} AND ${changes}`);
    this.statusNow = db.prepare(`SELECT count(*) AS matched, coalesce(sum(${changes}), 0) AS changing FROM connectors WHERE evse_key = @key AND ${owned}`);
    this.recordUsage = db.prepare(`INSERT INTO station_usage (station_id, at)
      SELECT DISTINCT station_id, @at FROM connectors WHERE evse_key = @key AND status <> 'Occupied' AND ${owned}`);
  }

  saveStation(input: StationInput) {
    return this.s.write(() => saveStationTx(this.save, input));
  }

  setStatus(ownerIdentifier: string, evseKey: string, status: ConnectorStatusValue, at: number): Promise<number> {
    return this.s.write(() => {
      const args = { owner: ownerIdentifier, key: evseKey, at };
      const { matched, changing } = this.statusNow.get({ ...args, status }) as { matched: number; changing: number };
      if (changing === 0) return matched;
      if (status === 'Occupied') this.recordUsage.run(args);
      this.setStatusStmt.run({ ...args, status });
      return matched;
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
