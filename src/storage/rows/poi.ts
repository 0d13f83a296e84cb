/** The `stations` and `connectors` rows both engines read for station details (migration 200). */
import type { ConnectorRecord, ConnectorStatusValue, StationRecord } from '../poi.js';

/** The `stations` columns a station record needs (data is JSON text). */
export interface StationRow {
  id: number; partner_id: number; partner_identifier: string; cpo_station_id: string; name: string; latitude: number; longitude: number;
  is_private: number; is_free_charge: number; owner_type: string | null; data: string; static_changed_at: number;
}

/** The `connectors` columns a connector record needs, with the station it belongs to. */
export interface ConnectorRow { station_id: number; id: number; evse_id: string; evse_key: string; type: string; speed: number; status: string; status_changed_at: number | null }

/** The record of a station row, its connectors still to be added. Example: `byId.set(r.id, toStation(r))`. */
export function toStation(r: StationRow): StationRecord {
  return {
    id: r.id, ownerPartnerId: r.partner_id, ownerIdentifier: r.partner_identifier, cpoStationId: r.cpo_station_id, name: r.name,
    latitude: r.latitude, longitude: r.longitude, isPrivate: r.is_private === 1, isFreeCharge: r.is_free_charge === 1,
    ownerType: r.owner_type, data: JSON.parse(r.data) as Record<string, unknown>, staticChangedAt: r.static_changed_at, connectors: [],
  };
}

/** The record of a connector row. Example: `byId.get(c.station_id)?.connectors.push(toConnector(c))`. */
export function toConnector(c: ConnectorRow): ConnectorRecord {
  return {
    id: c.id, evseId: c.evse_id, evseKey: c.evse_key, type: c.type, speed: c.speed,
    status: c.status as ConnectorStatusValue, statusChangedAt: c.status_changed_at,
  };
}

/** The stations found, in the order `ids` asked for them, each once. Example: `inAskedOrder([3, 1, 3], byId)`. */
export function inAskedOrder(ids: readonly number[], byId: ReadonlyMap<number, StationRecord>): StationRecord[] {
  const seen = new Set<number>();
  return ids.filter((id) => byId.has(id) && !seen.has(id) && seen.add(id)).map((id) => byId.get(id)!);
}
