/** Station details, reservations and usage on PostgreSQL: one query per table, as sqlite/poi/reads.ts. */
import type { ConnectorReservation, StationRecord, StationUsage } from '../../poi.js';
import type { NamedStatement, PgDatabase } from '../database.js';
import { inAskedOrder, toConnector, toStation, type ConnectorRow, type StationRow } from '../../rows/poi.js';

const DAY_MS = 86_400_000;

/** Hub ids as the database can hold them (anything else names no station). */
export function safeIds(ids: readonly number[]): number[] {
  return ids.filter((id) => Number.isSafeInteger(id));
}

/** Live, visible stations of these ids with their connectors (in position order, as JSON): one statement, named. */
const STATIONS_BY_IDS: NamedStatement = {
  name: 'oioi_stations_by_ids',
  text: `SELECT s.id, s.partner_id, s.partner_identifier, s.cpo_station_id, s.name, s.latitude, s.longitude, s.is_private, s.is_free_charge, s.owner_type,
    s.data, s.static_changed_at,
    coalesce((SELECT json_agg(json_build_array(c.id, c.evse_id, c.evse_key, c.type, c.speed, c.status, c.status_changed_at) ORDER BY c.position)
      FROM connectors c WHERE c.station_id = s.id), '[]') AS connectors
    FROM stations s WHERE s.id = ANY($1::bigint[]) AND s.deleted = 0 AND (s.is_private = 0 OR s.partner_id = $2)`,
};

type ConnectorTuple = [number, string, string, string, number, string, number | null];

/** Live, visible stations of these ids, in the order asked, each with its connectors. */
export async function stationsByIds(db: PgDatabase, ids: number[], asker: number): Promise<StationRecord[]> {
  const wanted = safeIds(ids);
  if (wanted.length === 0) return [];
  const byId = new Map<number, StationRecord>();
  for (const r of await db.query<StationRow & { connectors: ConnectorTuple[] }>(STATIONS_BY_IDS, [wanted, asker])) {
    const station = toStation(r);
    for (const [id, evse_id, evse_key, type, speed, status, status_changed_at] of r.connectors) {
      station.connectors.push(toConnector({ station_id: r.id, id, evse_id, evse_key, type, speed, status, status_changed_at }));
    }
    byId.set(r.id, station);
  }
  return inAskedOrder(wanted, byId);
}

/** Active reservations of these connectors at `at`. */
export async function activeReservations(db: PgDatabase, connectorIds: number[], at: number): Promise<ConnectorReservation[]> {
  const ids = safeIds(connectorIds);
  if (ids.length === 0) return [];
  return db.query<ConnectorReservation>(ACTIVE_RESERVATIONS, [ids, at]);
}

/** Named: every station-get-by-ids asks it (station-get-surface's come with `oioi_surface`). */
const ACTIVE_RESERVATIONS: NamedStatement = {
  name: 'oioi_active_reservations',
  text: `SELECT connector_id AS "connectorId", partner_id AS "partnerId", evco_id AS "evcoId", ends_at AS "endsAt" FROM reservations
     WHERE connector_id = ANY($1::bigint[]) AND state = 'active' AND starts_at <= $2 AND ends_at > $2`,
};

/** Occupied transitions of a station in the last 7 and 30 days, and the latest one. */
export async function usage(db: PgDatabase, stationId: number, at: number): Promise<StationUsage> {
  if (!Number.isSafeInteger(stationId)) return { last7Days: 0, last30Days: 0, lastUsedAt: null };
  const [r] = await db.query<{ d7: number; d30: number; last: number | null }>(
    `SELECT count(*) FILTER (WHERE at >= $1) AS d7, count(*) FILTER (WHERE at >= $2) AS d30, max(at) AS last FROM station_usage WHERE station_id = $3`,
    [at - 7 * DAY_MS, at - 30 * DAY_MS, stationId],
  );
  return { last7Days: r!.d7, last30Days: r!.d30, lastUsedAt: r!.last };
}
