/**
 * The dashboard's read queries on SQLite (see ../dashboard.ts). Map clusters at low zoom come from
 * `map_cells` (kept by the 700 migration's triggers), merged per zoom by dropping low bits of the
 * cell indices; at high zoom from `surface_stations`' key ranges joined with `map_stations`.
 * Status changes and station-post's new stations only mark their station in `map_dirty`
 * (migrations 820, 870): every read of the map drains the marks first.
 */
import type Database from 'better-sqlite3';
import type { ConnectorStatusValue } from '../poi.js';
import {
  MAP_DRAIN_SLICE,
  cellIndex,
  cellSize,
  gridSource,
  type CdrHit,
  type DashboardRepository,
  type DashboardTotals,
  type ForwardingRecord,
  type MapBox,
  type MapCluster,
  type MapStation,
  type SearchKeys,
  type SessionHit,
  type StationDetailsRecord,
  type StatusTarget,
} from '../dashboard.js';
import type { SqliteDatabase } from './database.js';
import { preparedOn } from './statement-cache.js';
import { cdrOf, clusterOf, type CdrHitRow as CdrRow, type ClusterRow } from '../rows/dashboard.js';
import { STATION_SUMMARY_SQL } from './migrations/820-map-dirty.js';
import { cellRanges } from './poi/surface.js';

/**
 * Live stations in the box, public and private: the key ranges of `surface_stations` (migration
 * 800) that cover it (`cellRanges`, bound as @ranges), exact edges checked on each row's own
 * coordinates. `b` is the surface row, `m` the station's map row (summary). Every read drains the
 * map marks first, which also moves staged surface rows (880) into `surface_stations`.
 */
const IN_SURFACE_BOX = `json_each(@ranges) r CROSS JOIN surface_stations b ON b.cell BETWEEN r.value ->> 0 AND r.value ->> 1
  AND b.lat BETWEEN @minLat AND @maxLat AND b.lon BETWEEN @minLon AND @maxLon`;
const IN_BOX = `${IN_SURFACE_BOX} CROSS JOIN map_stations m ON m.station_id = b.id`;
const COUNTS = `sum(summary = 'Available') AS a, sum(summary = 'Occupied') AS o, sum(summary = 'Reserved') AS r, sum(summary = 'Offline') AS f, sum(summary = 'Unknown') AS u`;
const CELL_COUNTS = 'sum(available) AS a, sum(occupied) AS o, sum(reserved) AS r, sum(offline) AS f, sum(unknown) AS u';

const CDR_COLUMNS = 'session_id, evse_id, user_type, user_id, started_at, stopped_at, energy, partner_id, payload, raw';

/** The parameters of IN_BOX for `box`. */
function boxOf(box: MapBox): MapBox & { ranges: string } {
  return { minLat: box.minLat, maxLat: box.maxLat, minLon: box.minLon, maxLon: box.maxLon, ranges: JSON.stringify(cellRanges(box)) };
}

/** Example: `const d = new SqliteDashboard(db); await d.clusters(box, 5)`. */
export class SqliteDashboard implements DashboardRepository {
  private readonly count: Database.Statement;
  private readonly list: Database.Statement;
  private readonly cells: Database.Statement;
  private readonly live: Database.Statement;
  private readonly anyDirty: Database.Statement;

  constructor(private readonly s: SqliteDatabase) {
    const db = s.db;
    this.anyDirty = db.prepare('SELECT EXISTS (SELECT 1 FROM map_dirty)').pluck();
    this.count = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM ${IN_SURFACE_BOX} LIMIT @cap + 0)`).pluck();
    this.list = db.prepare(`SELECT b.id, b.name, b.lat, b.lon, m.summary FROM ${IN_BOX} ORDER BY b.id LIMIT @limit + 0`);
    this.cells = db.prepare(`SELECT cx >> @shift AS x, cy >> @shift AS y, sum(n) AS n, sum(slat) AS slat, sum(slon) AS slon, ${CELL_COUNTS}
      FROM map_cells WHERE level = @level AND cx BETWEEN @x0 AND @x1 AND cy BETWEEN @y0 AND @y1 AND n > 0 GROUP BY x, y`);
    this.live = db.prepare(`SELECT CAST((b.lon + 180) / @size AS INTEGER) AS x, CAST((b.lat + 90) / @size AS INTEGER) AS y, count(*) AS n, sum(b.lat) AS slat, sum(b.lon) AS slon, ${COUNTS}
      FROM ${IN_BOX} GROUP BY x, y`);
  }

  /**
   * One write of the hub's batched queue (it shares a commit with other writes): the summaries of
   * up to `limit` marked stations, recomputed from their connectors, and whether they are live,
   * from their station, stored only where they differ (so `map_stations_changed` moves cell
   * counts only for real changes), and their marks deleted. Nothing else writes between the two
   * statements: they see the same marks.
   */
  async refreshMap(limit: number): Promise<number> {
    if (!this.anyDirty.get()) return 0; // an idle hub's refresher costs no commit
    return this.s.write((db) => {
      // live: a station posted while station-post held the triggers waits here to join its cells (migration 870).
      // connectors: a station posted under the hold got its connectors without the map's triggers (migration 920).
      preparedOn(db, `UPDATE map_stations AS m SET summary = x.summary, live = x.live, connectors = x.n
        FROM (SELECT d.station_id AS id, ${STATION_SUMMARY_SQL} AS summary, (SELECT s.deleted = 0 FROM stations s WHERE s.id = d.station_id) AS live, count(c.station_id) AS n
          FROM (SELECT station_id FROM map_dirty ORDER BY station_id LIMIT @limit + 0) AS d LEFT JOIN connectors c ON c.station_id = d.station_id GROUP BY d.station_id) AS x
        WHERE m.station_id = x.id AND x.live IS NOT NULL AND (m.summary IS NOT x.summary OR m.live IS NOT x.live OR m.connectors IS NOT x.n)`).run({ limit });
      return preparedOn(db, 'DELETE FROM map_dirty WHERE station_id IN (SELECT station_id FROM map_dirty ORDER BY station_id LIMIT @limit + 0)').run({ limit }).changes;
    });
  }

  /**
   * Drains the marks before a read of summaries or cells, so the read shows every status change
   * committed before it began. Stops after a slice that found fewer than a full slice: what is
   * marked after that was committed after the read began, and a busy hub cannot keep it looping.
   */
  private async fresh(): Promise<void> {
    while (this.anyDirty.get()) if ((await this.refreshMap(MAP_DRAIN_SLICE)) < MAP_DRAIN_SLICE) return;
  }

  async countStations(box: MapBox, cap: number): Promise<number> {
    await this.fresh(); // new stations' surface rows may still be staged (migration 880)
    return this.count.get({ ...boxOf(box), cap }) as number;
  }

  async stations(box: MapBox, limit: number): Promise<MapStation[]> {
    await this.fresh();
    return this.list.all({ ...boxOf(box), limit }) as MapStation[];
  }

  async clusters(box: MapBox, zoom: number): Promise<MapCluster[]> {
    await this.fresh();
    const { level, shift } = gridSource(zoom);
    if (level === null) return (this.live.all({ ...boxOf(box), size: cellSize(zoom) }) as ClusterRow[]).map(clusterOf);
    const size = cellSize(zoom);
    const x0 = cellIndex(box.minLon + 180, size) << shift;
    const x1 = ((cellIndex(box.maxLon + 180, size) + 1) << shift) - 1;
    const y0 = cellIndex(box.minLat + 90, size) << shift;
    const y1 = ((cellIndex(box.maxLat + 90, size) + 1) << shift) - 1;
    return (this.cells.all({ level, shift, x0, x1, y0, y1 }) as ClusterRow[]).map(clusterOf);
  }

  async station(id: number): Promise<StationDetailsRecord | undefined> {
    const s = this.s.db.prepare('SELECT id, name, latitude, longitude, data, deleted, partner_id, partner_identifier FROM stations WHERE id = ?').get(id) as
      | { id: number; name: string; latitude: number; longitude: number; data: string; deleted: number; partner_id: number; partner_identifier: string }
      | undefined;
    if (!s) return undefined;
    const connectors = this.s.db.prepare('SELECT id, evse_id, type, speed, status, status_changed_at FROM connectors WHERE station_id = ? ORDER BY position').all(id) as Array<{
      id: number; evse_id: string; type: string; speed: number; status: ConnectorStatusValue; status_changed_at: number | null;
    }>;
    return {
      id: s.id,
      name: s.name,
      lat: s.latitude,
      lon: s.longitude,
      data: JSON.parse(s.data) as Record<string, unknown>,
      deleted: s.deleted === 1,
      ownerPartnerId: s.partner_id,
      ownerIdentifier: s.partner_identifier,
      connectors: connectors.map((c) => ({ id: c.id, evseId: c.evse_id, type: c.type, speed: c.speed, status: c.status, statusChangedAt: c.status_changed_at })),
    };
  }

  async statusTargets(ownerIdentifier: string, evseKey: string): Promise<StatusTarget[]> {
    // Runs after every status change while someone watches the map: prepared once
    // (statement-cache.ts), and the summary computed from the station's connectors (the station's
    // map_stations row may still wait for a refresh), so it costs no write.
    return preparedOn(this.s.db, `SELECT s.id AS stationId, t.evse_id AS evseId, s.latitude AS lat, s.longitude AS lon,
        (SELECT ${STATION_SUMMARY_SQL} FROM connectors c WHERE c.station_id = s.id) AS summary
        FROM connectors t CROSS JOIN stations s ON s.id = t.station_id WHERE t.evse_key = ? AND s.partner_identifier = ? AND s.deleted = 0`)
      .all(evseKey, ownerIdentifier) as StatusTarget[];
  }

  async searchSessions(k: SearchKeys): Promise<SessionHit[]> {
    const rows = this.s.db
      .prepare(`SELECT id, evse_id, user_type, user_id, partner_id, state, cpo_session_id, started_at, stopped_at FROM remote_sessions
        WHERE evse_key = @evse OR user_key IN (SELECT value FROM json_each(@users)) OR cpo_session_id = @sid OR id = @hubId
        ORDER BY id DESC LIMIT @limit + 0`)
      .all({ evse: k.evseKey ?? null, users: JSON.stringify(k.canonicalUsers), sid: k.sessionId ?? null, hubId: k.sessionId && /^[0-9]{1,15}$/.test(k.sessionId) ? Number(k.sessionId) : null, limit: k.limit }) as Array<{
      id: number; evse_id: string; user_type: string; user_id: string; partner_id: number; state: string; cpo_session_id: string | null; started_at: number; stopped_at: number | null;
    }>;
    return rows.map((r) => ({ id: r.id, evseId: r.evse_id, userType: r.user_type, userId: r.user_id, partnerId: r.partner_id, state: r.state, cpoSessionId: r.cpo_session_id, startedAt: r.started_at, stoppedAt: r.stopped_at }));
  }

  async searchCdrs(k: SearchKeys): Promise<CdrHit[]> {
    const rows = this.s.db
      .prepare(`SELECT ${CDR_COLUMNS} FROM cdrs WHERE evse_key = @evse OR upper(replace(replace(user_id, '*', ''), '-', '')) IN (SELECT value FROM json_each(@users)) OR session_id = @sid
        ORDER BY received_at DESC LIMIT @limit + 0`)
      .all({ evse: k.evseKey ?? null, users: JSON.stringify(k.userKeys), sid: k.sessionId ?? null, limit: k.limit }) as CdrRow[];
    return rows.map(cdrOf);
  }

  async cdr(sessionId: string): Promise<CdrHit | undefined> {
    const row = this.s.db.prepare(`SELECT ${CDR_COLUMNS} FROM cdrs WHERE session_id = ?`).get(sessionId) as CdrRow | undefined;
    return row && cdrOf(row);
  }

  async forwarding(sessionId: string): Promise<ForwardingRecord[]> {
    const rows = this.s.db
      .prepare("SELECT id, partner_id, state, attempts, last_code, last_error, created_at, delivered_at FROM outbox WHERE subject = ? AND call = 'session-post' ORDER BY id")
      .all(sessionId) as Array<{ id: number; partner_id: number; state: string; attempts: number; last_code: number | null; last_error: string | null; created_at: number; delivered_at: number | null }>;
    return rows.map((r) => ({ outboxId: r.id, partnerId: r.partner_id, state: r.state, attempts: r.attempts, lastCode: r.last_code, lastError: r.last_error, createdAt: r.created_at, deliveredAt: r.delivered_at }));
  }

  async totals(): Promise<DashboardTotals> {
    await this.fresh();
    const db = this.s.db;
    // The coarsest cells hold every live station once: a few hundred rows, whatever the network's size (migration 920).
    const c = db.prepare(`SELECT coalesce(sum(n), 0) AS n, coalesce(sum(k), 0) AS k, coalesce(sum(available), 0) AS a, coalesce(sum(occupied), 0) AS o, coalesce(sum(reserved), 0) AS r,
      coalesce(sum(offline), 0) AS f, coalesce(sum(unknown), 0) AS u FROM map_cells WHERE level = 6`).get() as { n: number; k: number; a: number; o: number; r: number; f: number; u: number };
    const partners = db.prepare('SELECT count(*) FROM partners').pluck().get() as number;
    return { stations: c.n, connectors: c.k, partners, stationsByStatus: { Available: c.a, Occupied: c.o, Reserved: c.r, Offline: c.f, Unknown: c.u } };
  }
}
