/** SQLite implementation of PoiRepository: statements prepared once per connection. */
import type Database from 'better-sqlite3';
import type { ConnectorStatusValue, PoiRepository, StationInput, SurfaceQuery } from '../poi.js';
import type { SqliteDatabase } from './database.js';
import { saveStatements, saveStationTx, type SaveStatements } from './poi/save-station.js';
import { SurfaceQueries } from './poi/surface.js';
import { PoiReads } from './poi/reads.js';

/** Stations and connectors on SQLite. Example: `await new SqlitePoi(db).surface({...})`. */
export class SqlitePoi implements PoiRepository {
  private readonly save: SaveStatements;
  private readonly surfaceQueries: SurfaceQueries;
  private readonly reads: PoiReads;
  private readonly setStatusStmt: Database.Statement;
  private readonly recordUsage: Database.Statement;
  private readonly statusNow: Database.Statement;
  /** EVSE keys with a status write queued, and how many. */
  private readonly statusQueued = new Map<string, number>();
  /** Station-posts queued. */
  private stationsQueued = 0;

  constructor(private readonly s: SqliteDatabase) {
    const db = s.db;
    this.save = saveStatements(db);
    this.surfaceQueries = new SurfaceQueries(db);
    this.reads = new PoiReads(db);
    // EXISTS rather than IN (owner's stations): a CPO may own 100k stations; this stays an index probe.
    const owned = 'EXISTS (SELECT 1 FROM stations s WHERE s.id = connectors.station_id AND s.partner_identifier = @owner AND s.deleted = 0)';
    this.setStatusStmt = db.prepare(`UPDATE connectors SET status = @status,
      status_changed_at = CASE WHEN status <> @status OR status_changed_at IS NULL THEN @at ELSE status_changed_at END
      WHERE evse_key = @key AND ${owned}`);
    this.statusNow = db.prepare(`SELECT count(*) AS n, sum(status = @status) AS same FROM connectors WHERE evse_key = @key AND ${owned}`);
    this.recordUsage = db.prepare(`INSERT INTO station_usage (station_id, at)
      SELECT DISTINCT station_id, @at FROM connectors WHERE evse_key = @key AND status <> 'Occupied' AND ${owned}`);
  }

  saveStation(input: StationInput) {
    this.stationsQueued++;
    return this.s.write(() => saveStationTx(this.save, input)).finally(() => this.stationsQueued--);
  }

  /**
   * A status the connectors already have is answered from a read, without a write or its fsync
   * (CPOs send the same status again and again). Not while a write that could change the answer
   * is queued: a status of the same EVSE (the later post must win) or any station-post.
   */
  setStatus(ownerIdentifier: string, evseKey: string, status: ConnectorStatusValue, at: number): Promise<number> {
    const args = { owner: ownerIdentifier, key: evseKey, at };
    if (this.stationsQueued === 0 && !this.statusQueued.has(evseKey)) {
      const now = this.statusNow.get({ ...args, status }) as { n: number; same: number | null };
      if (now.n > 0 && now.same === now.n) return this.s.durable().then(() => now.n);
    }
    this.statusQueued.set(evseKey, (this.statusQueued.get(evseKey) ?? 0) + 1);
    return this.s
      .write(() => {
        if (status === 'Occupied') this.recordUsage.run(args);
        return this.setStatusStmt.run({ ...args, status }).changes;
      })
      .finally(() => {
        const left = this.statusQueued.get(evseKey)! - 1;
        if (left === 0) this.statusQueued.delete(evseKey);
        else this.statusQueued.set(evseKey, left);
      });
  }

  async surface(query: SurfaceQuery) {
    return this.surfaceQueries.run(query);
  }

  async stationsByIds(ids: number[], askerPartnerId: number) {
    return this.reads.byIds(ids, askerPartnerId);
  }

  async activeReservations(connectorIds: number[], at: number) {
    return this.reads.activeReservations(connectorIds, at);
  }

  async usage(stationId: number, at: number) {
    return this.reads.usage(stationId, at);
  }
}
