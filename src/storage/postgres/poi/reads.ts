/** Station details, reservations and usage on PostgreSQL: one query per table, as sqlite/poi/reads.ts. */
import type { ConnectorReservation, StationRecord, StationUsage } from '../../poi.js';
import type { Client, NamedStatement, PgDatabase } from '../database.js';
import { inAskedOrder, toConnector, toStation, type ConnectorRow, type StationRow } from '../../rows/poi.js';

const DAY_MS = 86_400_000;

/** Hub ids as the database can hold them (anything else names no station). */
export function safeIds(ids: readonly number[]): number[] {
  return ids.filter((id) => Number.isSafeInteger(id));
}

/** Live, visible stations of these ids, in the order asked, each with its connectors. */
export async function stationsByIds(db: PgDatabase, ids: number[], asker: number): Promise<StationRecord[]> {
  const wanted = safeIds(ids);
  if (wanted.length === 0) return [];
  const byId = new Map<number, StationRecord>();
  const rows = await db.query<StationRow>(
    `SELECT id, partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, is_private, is_free_charge, owner_type, data, static_changed_at
     FROM stations WHERE id = ANY($1::bigint[]) AND deleted = 0 AND (is_private = 0 OR partner_id = $2)`,
    [wanted, asker],
  );
  for (const r of rows) {
    byId.set(r.id, toStation(r));
  }
  if (byId.size === 0) return [];
  const connectors = await db.query<ConnectorRow>(
    'SELECT station_id, id, evse_id, evse_key, type, speed, status, status_changed_at FROM connectors WHERE station_id = ANY($1::bigint[]) ORDER BY station_id, position',
    [[...byId.keys()]],
  );
  for (const c of connectors) {
    byId.get(c.station_id)?.connectors.push(toConnector(c));
  }
  return inAskedOrder(wanted, byId);
}

/** Active reservations of these connectors at `at` (on `on`, a transaction's client, when given). */
export async function activeReservations(db: PgDatabase, connectorIds: number[], at: number, on?: Client): Promise<ConnectorReservation[]> {
  const ids = safeIds(connectorIds);
  if (ids.length === 0) return [];
  return db.query<ConnectorReservation>(ACTIVE_RESERVATIONS, [ids, at], on);
}

/** Named: every station-get-surface and station-get-by-ids asks it. */
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
