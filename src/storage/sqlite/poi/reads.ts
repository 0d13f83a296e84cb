/** Station details, reservations and usage on SQLite: fixed statements, one query per table. */
import type Database from 'better-sqlite3';
import type { Db } from '../database.js';
import { inAskedOrder, toConnector, toStation, type ConnectorRow, type StationRow } from '../../rows/poi.js';
import type { ConnectorReservation, StationRecord, StationUsage } from '../../poi.js';
import { USAGE_COUNTS_SQL } from '../usage-chain.js';

const DAY_MS = 86_400_000;
/** Up to this many active reservations are read whole rather than probed per connector. */
const ACTIVE_SCAN = 256;
/** Fewer connectors than this are probed one by one (station-get-by-ids of a few stations). */
const ACTIVE_PROBE_MAX = 8;

/** Read statements of the POI repository, prepared once per connection. */
export class PoiReads {
  private readonly stations: Database.Statement;
  private readonly connectors: Database.Statement;
  private readonly usageStmt: Database.Statement;
  private reservations: Database.Statement | null | undefined;
  private allActive: Database.Statement | null | undefined;

  constructor(private readonly db: Db) {
    this.stations = db.prepare(`SELECT id, partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, is_private, is_free_charge, owner_type, data, static_changed_at
      FROM stations WHERE id IN (SELECT value FROM json_each(?)) AND deleted = 0 AND (is_private = 0 OR partner_id = ?)`);
    this.connectors = db.prepare(`SELECT station_id, id, evse_id, evse_key, type, speed, status, status_changed_at
      FROM connectors WHERE station_id IN (SELECT value FROM json_each(?)) ORDER BY station_id, position`);
    this.usageStmt = db.prepare(USAGE_COUNTS_SQL);
  }

  /** Live, visible stations of these ids, in the order asked, each with its connectors. */
  byIds(ids: number[], asker: number): StationRecord[] {
    if (ids.length === 0) return [];
    const json = JSON.stringify(ids);
    const byId = new Map<number, StationRecord>();
    for (const r of this.stations.all(json, asker) as StationRow[]) {
      byId.set(r.id, toStation(r));
    }
    if (byId.size === 0) return [];
    for (const c of this.connectors.all(JSON.stringify([...byId.keys()])) as ConnectorRow[]) {
      byId.get(c.station_id)?.connectors.push(toConnector(c));
    }
    return inAskedOrder(ids, byId);
  }

  /**
   * Active reservations from the reservation slice's `reservations` table (migration 400). The
   * table is optional: without it nothing is reserved. Looked up once per connection.
   *
   * A surface answer asks for ~200 connectors, and probing each one (an IN list of 200) cost
   * ~150 µs even on an empty table. Active reservations are few next to that (one per reserved
   * connector, minutes long): when there are at most ACTIVE_SCAN of them they are all read and
   * the ones asked for kept; only beyond that are the connectors probed one by one.
   */
  activeReservations(connectorIds: number[], at: number): ConnectorReservation[] {
    if (connectorIds.length === 0) return [];
    if (this.reservations === undefined) {
      const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reservations'").get();
      const columns = 'connector_id AS connectorId, partner_id AS partnerId, evco_id AS evcoId, ends_at AS endsAt';
      this.reservations = exists
        ? this.db.prepare(`SELECT ${columns} FROM reservations
            WHERE connector_id IN (SELECT value FROM json_each(?)) AND state = 'active' AND starts_at <= ? AND ends_at > ?`)
        : null;
      // `LIMIT ? + 0`: a bare parameter as LIMIT makes SQLite re-prepare the statement at every run.
      this.allActive = exists
        ? this.db.prepare(`SELECT ${columns} FROM reservations WHERE state = 'active' AND starts_at <= ? AND ends_at > ? LIMIT ? + 0`)
        : null;
    }
    if (!this.reservations) return [];
    if (connectorIds.length > ACTIVE_PROBE_MAX) {
      const all = this.allActive!.all(at, at, ACTIVE_SCAN + 1) as ConnectorReservation[];
      if (all.length <= ACTIVE_SCAN) {
        if (all.length === 0) return [];
        const asked = new Set(connectorIds);
        return all.filter((r) => asked.has(r.connectorId));
      }
    }
    return this.reservations.all(JSON.stringify(connectorIds), at, at) as ConnectorReservation[];
  }

  /** Occupied transitions of a station in the last 7 and 30 days, and the latest one. */
  usage(stationId: number, at: number): StationUsage {
    const r = this.usageStmt.get({ station: stationId, d7: at - 7 * DAY_MS, d30: at - 30 * DAY_MS }) as { d7: number; d30: number; last: number | null };
    return { last7Days: r.d7, last30Days: r.d30, lastUsedAt: r.last };
  }
}
