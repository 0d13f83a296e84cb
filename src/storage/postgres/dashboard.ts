/**
 * The dashboard's read queries on PostgreSQL (see ../dashboard.ts and sqlite/dashboard.ts). Low
 * zooms read `map_cells` (kept by the 700 migration's triggers), merged per zoom by dropping low
 * bits of the cell indices; high zooms group the stations the GiST index finds in the box. Status
 * changes only mark their station in `map_dirty` (migration 820): reads of summaries drain the
 * marks first (`refreshMap`, where the race with status transactions and other hubs is explained).
 */
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
import type { PgDatabase } from './database.js';
import { cdrOf, clusterOf, n, nOrNull, type CdrHitRow as CdrRow, type ClusterRow } from '../rows/dashboard.js';

/** Live stations in the box ($1..$4 = minLat, maxLat, minLon, maxLon); `<@` has a 1e-6 tolerance, the BETWEENs are exact. */
const IN_BOX = `stations s JOIN map_stations m ON m.station_id = s.id
  WHERE s.deleted = 0 AND s.location <@ box(point($3, $1), point($4, $2)) AND s.latitude BETWEEN $1 AND $2 AND s.longitude BETWEEN $3 AND $4`;
const COUNTS = `count(*) FILTER (WHERE m.summary = 'Available') AS a, count(*) FILTER (WHERE m.summary = 'Occupied') AS o,
  count(*) FILTER (WHERE m.summary = 'Reserved') AS r, count(*) FILTER (WHERE m.summary = 'Offline') AS f, count(*) FILTER (WHERE m.summary = 'Unknown') AS u`;

/**
 * How long a refresh waits for a row lock before it gives up (SQLSTATE 55P03) and leaves its marks
 * for a later one. Well under PostgreSQL's deadlock_timeout (1 s by default): in any lock cycle with
 * a refresh in it, the refresh is waiting too, so it gives up first and a partner's request in the
 * cycle (a station post holding its map_stations row, say) is never the deadlock victim.
 */
const REFRESH_LOCK_TIMEOUT = '100ms';
const TIMED_OUT = -1;

const CDR_COLUMNS = 'c.session_id, c.evse_id, c.user_type, c.user_id, c.started_at, c.stopped_at, c.energy, c.partner_id, c.payload, c.raw';

/** Example: `await new PgDashboard(db).clusters(box, 5)`. */
export class PgDashboard implements DashboardRepository {
  constructor(private readonly db: PgDatabase) {}

  private box(b: MapBox): unknown[] {
    return [b.minLat, b.maxLat, b.minLon, b.maxLon];
  }

  /**
   * Claims up to `limit` marks and brings their stations' summaries up to date, in one
   * transaction of two statements, skipping marks that another transaction holds.
   *
   * The race, and why no status change is lost. A status transaction T marks its station with an
   * upsert that also locks the mark when it is already there (migration 820), and holds that lock
   * until it commits. The claim (statement 1) deletes marks it could lock; the summaries
   * (statement 2) are computed in a snapshot taken after statement 1, when the claim holds them:
   * - T locked the mark first and has committed: the claim locks it after, so statement 2's
   *   snapshot sees T's connectors.
   * - T holds the mark (not committed): SKIP LOCKED leaves it; it is claimed by a later refresh.
   * - T marks after the claim deleted the mark (not committed): T's upsert waits for the claim's
   *   transaction, then inserts a new mark, which a later refresh takes.
   * - T inserts a new mark the claim cannot see yet: it stays for a later refresh.
   * Several hubs on one database never take the same mark (SKIP LOCKED), and a claim rolled back
   * (a crash, a lock timeout) leaves its marks as they were. One statement would not do: its
   * snapshot would be taken before it locks, and miss a T committed in between.
   */
  async refreshMap(limit: number): Promise<number> {
    return Math.max(0, await this.claim(limit, true));
  }

  private async claim(limit: number, skipLocked: boolean): Promise<number> {
    const [any] = await this.db.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM map_dirty) AS any');
    if (!any!.any) return 0; // an idle hub's refresher opens no transaction
    try {
      return await this.db.tx(async (c) => {
        await c.query(`SET LOCAL lock_timeout = '${REFRESH_LOCK_TIMEOUT}'`);
        const claimed = (await c.query<{ station_id: string }>(
          `DELETE FROM map_dirty WHERE station_id IN (SELECT station_id FROM map_dirty ORDER BY station_id LIMIT $1 FOR UPDATE${skipLocked ? ' SKIP LOCKED' : ''}) RETURNING station_id`,
          [limit],
        )).rows.map((r) => r.station_id);
        if (claimed.length === 0) return 0;
        // Only changed rows are written, so map_stations_updated moves cell counts only for real changes.
        // `live` too: a new station's row waits not yet live until its mark is drained (migration 870).
        // Its connector count is already right: the connector trigger keeps it, even for a new station (migration 910).
        await c.query(
          `UPDATE map_stations m SET summary = x.summary, live = x.live
           FROM (SELECT s.id, oioi_station_summary(s.id) AS summary, (s.deleted = 0)::INTEGER AS live FROM stations s WHERE s.id = ANY($1::bigint[])) x
           WHERE m.station_id = x.id AND (m.summary IS DISTINCT FROM x.summary OR m.live IS DISTINCT FROM x.live)`,
          [claimed],
        );
        return claimed.length;
      });
    } catch (error) {
      if ((error as { code?: string })?.code === '55P03') return TIMED_OUT;
      throw error;
    }
  }

  /**
   * Drains the marks before a read of summaries or cells. It waits (briefly) for marks that other
   * transactions hold rather than skipping them: a station marked by a committed change and being
   * marked again by a transaction in flight, or being refreshed by another hub, would otherwise
   * show its old summary. If the wait times out (a lock cycle, or a long transaction), it takes what
   * it can without waiting; the background refresher gets the rest. Stops after a slice shorter
   * than a full one: marks made after that were committed after the read began.
   */
  private async fresh(): Promise<void> {
    for (;;) {
      let n = await this.claim(MAP_DRAIN_SLICE, false);
      if (n === TIMED_OUT) n = await this.claim(MAP_DRAIN_SLICE, true);
      if (n < MAP_DRAIN_SLICE) return;
    }
  }

  async countStations(box: MapBox, cap: number): Promise<number> {
    // counts stations, not summaries: no drain needed
    const [r] = await this.db.query<{ n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM ${IN_BOX} LIMIT $5) x`, [...this.box(box), cap]);
    return n(r!.n);
  }

  async stations(box: MapBox, limit: number): Promise<MapStation[]> {
    await this.fresh();
    const rows = await this.db.query<{ id: number; name: string; lat: number; lon: number; summary: ConnectorStatusValue }>(
      `SELECT s.id, s.name, m.lat, m.lon, m.summary FROM ${IN_BOX} ORDER BY s.id LIMIT $5`,
      [...this.box(box), limit],
    );
    return rows.map((r) => ({ id: n(r.id), name: r.name, lat: n(r.lat), lon: n(r.lon), summary: r.summary }));
  }

  async clusters(box: MapBox, zoom: number): Promise<MapCluster[]> {
    await this.fresh();
    const { level, shift } = gridSource(zoom);
    const size = cellSize(zoom);
    if (level === null) {
      const rows = await this.db.query<ClusterRow>(
        `SELECT floor((m.lon + 180) / $5)::INTEGER AS x, floor((m.lat + 90) / $5)::INTEGER AS y, count(*) AS n, sum(m.lat) AS slat, sum(m.lon) AS slon, ${COUNTS}
         FROM ${IN_BOX} GROUP BY x, y`,
        [...this.box(box), size],
      );
      return rows.map(clusterOf);
    }
    const x0 = cellIndex(box.minLon + 180, size) << shift;
    const x1 = ((cellIndex(box.maxLon + 180, size) + 1) << shift) - 1;
    const y0 = cellIndex(box.minLat + 90, size) << shift;
    const y1 = ((cellIndex(box.maxLat + 90, size) + 1) << shift) - 1;
    const rows = await this.db.query<ClusterRow>(
      `SELECT cx >> $2 AS x, cy >> $2 AS y, sum(n) AS n, sum(slat) AS slat, sum(slon) AS slon,
         sum(available) AS a, sum(occupied) AS o, sum(reserved) AS r, sum(offline) AS f, sum(unknown) AS u
       FROM map_cells WHERE level = $1 AND cx BETWEEN $3 AND $4 AND cy BETWEEN $5 AND $6 AND n > 0 GROUP BY 1, 2`,
      [level, shift, x0, x1, y0, y1],
    );
    return rows.map(clusterOf);
  }

  async station(id: number): Promise<StationDetailsRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const [s] = await this.db.query<{ id: number; name: string; latitude: number; longitude: number; data: string; deleted: number; partner_id: number; partner_identifier: string }>(
      'SELECT id, name, latitude, longitude, data, deleted, partner_id, partner_identifier FROM stations WHERE id = $1',
      [id],
    );
    if (!s) return undefined;
    const connectors = await this.db.query<{ id: number; evse_id: string; type: string; speed: number; status: ConnectorStatusValue; status_changed_at: number | null }>(
      'SELECT id, evse_id, type, speed, status, status_changed_at FROM connectors WHERE station_id = $1 ORDER BY position',
      [id],
    );
    return {
      id: n(s.id),
      name: s.name,
      lat: n(s.latitude),
      lon: n(s.longitude),
      data: JSON.parse(s.data) as Record<string, unknown>,
      deleted: n(s.deleted) === 1,
      ownerPartnerId: n(s.partner_id),
      ownerIdentifier: s.partner_identifier,
      connectors: connectors.map((c) => ({ id: n(c.id), evseId: c.evse_id, type: c.type, speed: n(c.speed), status: c.status, statusChangedAt: nOrNull(c.status_changed_at) })),
    };
  }

  async statusTargets(ownerIdentifier: string, evseKey: string): Promise<StatusTarget[]> {
    const rows = await this.db.query<{ station_id: number; evse_id: string; lat: number; lon: number; summary: ConnectorStatusValue }>(
      // The summary from the station's connectors (its map_stations row may still wait for a refresh): no write.
      `SELECT s.id AS station_id, c.evse_id, s.latitude AS lat, s.longitude AS lon, oioi_station_summary(s.id) AS summary
       FROM connectors c JOIN stations s ON s.id = c.station_id WHERE c.evse_key = $1 AND s.partner_identifier = $2 AND s.deleted = 0`,
      [evseKey, ownerIdentifier],
    );
    return rows.map((r) => ({ stationId: n(r.station_id), evseId: r.evse_id, lat: n(r.lat), lon: n(r.lon), summary: r.summary }));
  }

  async searchSessions(k: SearchKeys): Promise<SessionHit[]> {
    const hubId = k.sessionId && /^[0-9]{1,15}$/.test(k.sessionId) ? Number(k.sessionId) : null;
    const rows = await this.db.query<{ id: number; evse_id: string; user_type: string; user_id: string; partner_id: number; state: string; cpo_session_id: string | null; started_at: number; stopped_at: number | null }>(
      `SELECT id, evse_id, user_type, user_id, partner_id, state, cpo_session_id, started_at, stopped_at FROM remote_sessions
       WHERE evse_key = $1 OR user_key = ANY($2::text[]) OR cpo_session_id = $3 OR id = $4 ORDER BY id DESC LIMIT $5`,
      [k.evseKey ?? null, k.canonicalUsers, k.sessionId ?? null, hubId, k.limit],
    );
    return rows.map((r) => ({ id: n(r.id), evseId: r.evse_id, userType: r.user_type, userId: r.user_id, partnerId: n(r.partner_id), state: r.state, cpoSessionId: r.cpo_session_id, startedAt: n(r.started_at), stoppedAt: nOrNull(r.stopped_at) }));
  }

  async searchCdrs(k: SearchKeys): Promise<CdrHit[]> {
    const rows = await this.db.query<CdrRow>(
      `SELECT ${CDR_COLUMNS} FROM cdrs c WHERE c.evse_key = $1 OR upper(replace(replace(c.user_id, '*', ''), '-', '')) = ANY($2::text[]) OR c.session_id = $3
       ORDER BY c.received_at DESC LIMIT $4`,
      [k.evseKey ?? null, k.userKeys, k.sessionId ?? null, k.limit],
    );
    return rows.map(cdrOf);
  }

  async cdr(sessionId: string): Promise<CdrHit | undefined> {
    const [row] = await this.db.query<CdrRow>(`SELECT ${CDR_COLUMNS} FROM cdrs c WHERE c.session_id = $1`, [sessionId]);
    return row && cdrOf(row);
  }

  async forwarding(sessionId: string): Promise<ForwardingRecord[]> {
    const rows = await this.db.query<{ id: number; partner_id: number; state: string; attempts: number; last_code: number | null; last_error: string | null; created_at: number; delivered_at: number | null }>(
      "SELECT id, partner_id, state, attempts, last_code, last_error, created_at, delivered_at FROM outbox WHERE subject = $1 AND call = 'session-post' ORDER BY id",
      [sessionId],
    );
    return rows.map((r) => ({ outboxId: n(r.id), partnerId: n(r.partner_id), state: r.state, attempts: n(r.attempts), lastCode: nOrNull(r.last_code), lastError: r.last_error, createdAt: n(r.created_at), deliveredAt: nOrNull(r.delivered_at) }));
  }

  async totals(): Promise<DashboardTotals> {
    await this.fresh();
    // The coarsest cells hold every live station once: a few hundred rows, whatever the network's size (migration 910; SQLite 920).
    const [c] = await this.db.query<ClusterRow & { k: number }>(
      `SELECT coalesce(sum(n), 0) AS n, 0 AS slat, 0 AS slon, coalesce(sum(k), 0) AS k, coalesce(sum(available), 0) AS a, coalesce(sum(occupied), 0) AS o, coalesce(sum(reserved), 0) AS r,
         coalesce(sum(offline), 0) AS f, coalesce(sum(unknown), 0) AS u FROM map_cells WHERE level = 6`,
    );
    const [p] = await this.db.query<{ n: number }>('SELECT count(*) AS n FROM partners');
    return { stations: n(c!.n), connectors: n(c!.k), partners: n(p!.n), stationsByStatus: { Available: n(c!.a), Occupied: n(c!.o), Reserved: n(c!.r), Offline: n(c!.f), Unknown: n(c!.u) } };
  }
}
