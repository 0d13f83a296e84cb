/**
 * The read queries of the operator dashboard (issue 9) that the hub's own repositories lack: the
 * clustered station map, a station's details, searches of sessions and CDRs, and a CDR's
 * forwarding history. Implemented by sqlite/dashboard.ts and postgres/dashboard.ts.
 */
import type { ConnectorStatusValue } from './poi.js';

/** A latitude/longitude box, edges included, min <= max. */
export interface MapBox { minLat: number; maxLat: number; minLon: number; maxLon: number }

export type StatusCounts = Record<ConnectorStatusValue, number>;

export interface MapCluster { lat: number; lon: number; count: number; statuses: StatusCounts }

export interface MapStation { id: number; name: string; lat: number; lon: number; summary: ConnectorStatusValue }

/** Levels at which storage keeps per-cell aggregates (the 700 migration): cells of 360 / 2^(level+2) degrees. */
export const AGGREGATE_LEVELS = [6, 10, 13] as const;

/** Marked stations (migration 820's `map_dirty`) one `refreshMap` takes when a read drains them. */
export const MAP_DRAIN_SLICE = 500;

/** Zooms from this one on are clustered from the stations themselves (boxes that small hold few). */
export const LIVE_GRID_FROM_ZOOM = 14;

/** Grid cell edge in degrees at a web-mercator zoom: a quarter of a 256-pixel tile. Example: `cellSize(0) === 90`. */
export function cellSize(zoom: number): number {
  return 360 / 2 ** (zoom + 2);
}

/** The integer cell index of a coordinate (longitude + 180 or latitude + 90) at a cell size. Example: `cellIndex(180 + 13.4, 1.40625) === 132`. */
export function cellIndex(shifted: number, size: number): number {
  return Math.floor(shifted / size);
}

/**
 * Where a zoom's grid comes from: the stored aggregates of the nearest finer level, merged by
 * dropping `shift` low bits of the cell indices, or (`level: null`) the stations themselves.
 * Example: `gridSource(4)` -> `{ level: 6, shift: 2 }`; `gridSource(15)` -> `{ level: null, shift: 0 }`.
 */
export function gridSource(zoom: number): { level: number | null; shift: number } {
  for (const level of AGGREGATE_LEVELS) if (zoom <= level) return { level, shift: level - zoom };
  return { level: null, shift: 0 };
}

export interface StationDetailsRecord {
  id: number;
  name: string;
  lat: number;
  lon: number;
  /** The station's static data as posted (address, contact…). */
  data: Record<string, unknown>;
  deleted: boolean;
  ownerPartnerId: number;
  ownerIdentifier: string;
  connectors: Array<{ id: number; evseId: string; type: string; speed: number; status: ConnectorStatusValue; statusChangedAt: number | null }>;
}

/** A connector a status post changed, with what the map needs to move its marker. */
export interface StatusTarget { stationId: number; evseId: string; lat: number; lon: number; summary: ConnectorStatusValue }

export interface SessionHit {
  id: number;
  evseId: string;
  userType: string;
  userId: string;
  partnerId: number;
  state: string;
  cpoSessionId: string | null;
  startedAt: number;
  stoppedAt: number | null;
}

export interface CdrHit {
  sessionId: string;
  evseId: string;
  userType: string;
  userId: string;
  startedAt: number | null;
  stoppedAt: number | null;
  energy: number | null;
  cpoPartnerId: number;
  /** The record as completed by every post (cost, intervals). */
  payload: Record<string, unknown>;
  /** The last post as received. */
  raw: unknown;
}

export interface ForwardingRecord {
  outboxId: number;
  partnerId: number;
  state: string;
  attempts: number;
  lastCode: number | null;
  lastError: string | null;
  createdAt: number;
  deliveredAt: number | null;
}

/** What to look for: every normalized form of the operator's query (see src/hub/dashboard/search.ts). */
export interface SearchKeys {
  /** EVSE key (upper case, no `*`). */
  evseKey?: string;
  /** Identifier keys: upper case, `*` and `-` removed (EVCO IDs and UIDs alike), compared with CDRs' user ids. */
  userKeys: string[];
  /** The hub's normalized forms (canonical EVCO ID, padded UID), compared with remote sessions' user keys. */
  canonicalUsers: string[];
  /** Session ids as typed (the CPO's or the hub's). */
  sessionId?: string;
  limit: number;
}

export interface DashboardTotals { stations: number; connectors: number; partners: number; stationsByStatus: StatusCounts }

/** Example: `await storage.dashboard.clusters({ minLat: 47, maxLat: 55, minLon: 5, maxLon: 15 }, 6)`. */
export interface DashboardRepository {
  /**
   * Brings the map up to date for up to `limit` stations whose connector statuses changed (a
   * status change only marks its station, migration 820): recomputes their summaries, moves their
   * cell counts where a summary changed, and clears their marks, in one write. Returns how many
   * stations it took: fewer than `limit` means none were left when it ran. The reads below that
   * show summaries or cell counts drain the marks themselves first; the hub also drains them in
   * the background (hub/dashboard/map-refresher.ts). Example: `while ((await d.refreshMap(500)) === 500);`.
   */
  refreshMap(limit: number): Promise<number>;
  /** Live stations (public and private) in the box, counting no further than `cap`. */
  countStations(box: MapBox, cap: number): Promise<number>;
  /** Live stations in the box, at most `limit`. */
  stations(box: MapBox, limit: number): Promise<MapStation[]>;
  /** Grid clusters of the live stations in the box at a zoom (cells of `cellSize(zoom)`), empty cells left out. */
  clusters(box: MapBox, zoom: number): Promise<MapCluster[]>;
  station(id: number): Promise<StationDetailsRecord | undefined>;
  /** The live connectors with this EVSE key posted under `ownerIdentifier` (after a status post). */
  statusTargets(ownerIdentifier: string, evseKey: string): Promise<StatusTarget[]>;
  searchSessions(keys: SearchKeys): Promise<SessionHit[]>;
  searchCdrs(keys: SearchKeys): Promise<CdrHit[]>;
  /** A CDR by its session id. */
  cdr(sessionId: string): Promise<CdrHit | undefined>;
  /** Every outbox row that forwarded (or is forwarding) this CDR, oldest first. */
  forwarding(sessionId: string): Promise<ForwardingRecord[]>;
  totals(): Promise<DashboardTotals>;
}
