/**
 * Stations and connectors (POI) as storage keeps them: the repository interface the hub's POI
 * services use. SQLite implements it in sqlite/poi.ts; PostgreSQL will implement the same.
 * Rules that must hold inside one transaction (connector set fixed, EVSE IDs not shared across
 * owners) are decided here and reported as outcomes; services turn outcomes into result codes.
 */
import type { Utf8Text } from './utf8-text.js';

export type ConnectorStatusValue = 'Available' | 'Occupied' | 'Reserved' | 'Offline' | 'Unknown';

/** One connector of a posted station. */
export interface ConnectorInput {
  /** The EVSE ID as the CPO sent it. */
  evseId: string;
  /** The comparison key (`evseKey(evseId)`): upper case, no `*`. */
  evseKey: string;
  type: string;
  /** kW. */
  speed: number;
}

/** A station-post as storage sees it. */
export interface StationInput {
  /** The hub partner id of the CPO (its company id). */
  ownerPartnerId: number;
  /** The partner identifier the station was posted under: it owns the station. */
  ownerIdentifier: string;
  /** The CPO's own `station.id`. */
  cpoStationId: string;
  name: string;
  latitude: number;
  longitude: number;
  isPrivate: boolean;
  isFreeCharge: boolean;
  deleted: boolean;
  /** The static data as posted (normalized), without `connectors`: answered by station-get-by-ids. */
  data: Record<string, unknown>;
  connectors: ConnectorInput[];
  /** ms since epoch. */
  at: number;
}

/** What a station-post did, or which rule it broke. */
export type SaveStationOutcome =
  | { ok: true; stationId: number | null; created: boolean; changed: boolean; deleted: boolean }
  | { ok: false; reason: 'connector-set-changed'; added: string[]; removed: string[] }
  | { ok: false; reason: 'evse-taken'; evseId: string; sameCoordinates: boolean };

export interface ConnectorRecord extends ConnectorInput {
  id: number;
  status: ConnectorStatusValue;
  /** ms since epoch of the last status change, null before the first status post. */
  statusChangedAt: number | null;
}

/** A live station as stored: what was posted (without the post's own bookkeeping) plus what the hub keeps. */
export interface StationRecord extends Omit<StationInput, 'deleted' | 'connectors' | 'at'> {
  id: number;
  ownerType: string | null;
  /** ms since epoch. */
  staticChangedAt: number;
  connectors: ConnectorRecord[];
}

/** A station-get-surface question, already checked (min <= max). */
export interface SurfaceQuery {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
  /** The asking partner: sees its own private stations. */
  askerPartnerId: number;
  limit: number;
  excludes?: number[];
  companyTypes?: string[];
  connectorTypes?: string[];
  speedAtLeast?: number;
  speedAtMost?: number;
  operatorIds?: number[];
}

/** A surface hit: only what station-get-surface answers. */
export interface SurfaceStationRecord {
  id: number;
  /** The SQLite index hands names on as UTF-8 bytes (Utf8Text), written out without decoding; `textOf` gives the string. */
  name: string | Utf8Text;
  latitude: number;
  longitude: number;
  ownerType: string | null;
  staticChangedAt: number;
  connectors: Array<{ id: number; status: ConnectorStatusValue }>;
}

/** An active reservation of a connector (the reservation slice owns the data). */
export interface ConnectorReservation {
  connectorId: number;
  partnerId: number;
  evcoId: string | null;
  /** ms since epoch. */
  endsAt: number;
}

export interface StationUsage {
  last7Days: number;
  last30Days: number;
  /** ms since epoch, null when never used. */
  lastUsedAt: number | null;
}

/** Storage of stations and connectors. Example: `await storage.poi.setStatus(pid, 'DE8PSE1', 'Available', Date.now())`. */
export interface PoiRepository {
  /**
   * Readies `surface` for traffic where the engine keeps stations in memory (SQLite): resolves
   * once built, with how many stations it holds; engines that need nothing omit it.
   */
  prepareSurface?(): Promise<{ stations: number }>;
  /** Creates, updates, soft-deletes or brings back one station, in one transaction. */
  saveStation(input: StationInput): Promise<SaveStationOutcome>;
  /**
   * Sets the status of every connector with this EVSE key on live stations owned by `ownerIdentifier`;
   * resolves with how many connectors matched (0: none owned, answered 181).
   */
  setStatus(ownerIdentifier: string, evseKey: string, status: ConnectorStatusValue, at: number): Promise<number>;
  /**
   * Stations in a box after filters, nearest to the box centre first, with whether more matched;
   * with `reservationsAt`, also the active reservations of their connectors at that time (as
   * `activeReservations` answers; one read instead of two where the engine can).
   */
  surface(query: SurfaceQuery, reservationsAt?: number): Promise<{ stations: SurfaceStationRecord[]; hasMore: boolean; reservations?: ConnectorReservation[] }>;
  /** Live stations with these hub ids visible to the asker (own or not private); unknown ids are absent. */
  stationsByIds(ids: number[], askerPartnerId: number): Promise<StationRecord[]>;
  /** Active reservations of these connectors at `at`; empty when the hub keeps no reservations. */
  activeReservations(connectorIds: number[], at: number): Promise<ConnectorReservation[]>;
  /** How often a station's connectors went Occupied (the usage the hub can see). */
  usage(stationId: number, at: number): Promise<StationUsage>;
}

/** The connector ids of surface hits, in order. Example: `connectorIdsOf(stations)` -> `[12, 13, 20]`. */
export function connectorIdsOf(stations: SurfaceStationRecord[]): number[] {
  const ids: number[] = [];
  for (const s of stations) for (const c of s.connectors) ids.push(c.id);
  return ids;
}
