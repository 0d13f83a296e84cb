// Shapes of the dashboard's JSON API (see docs/dashboard.md); the hub is the source of truth.

export type Status = 'Available' | 'Occupied' | 'Reserved' | 'Offline' | 'Unknown';
export const STATUSES: Status[] = ['Available', 'Occupied', 'Reserved', 'Offline', 'Unknown'];
export type StatusCounts = Record<Status, number>;

export interface Cluster { lat: number; lon: number; count: number; statuses: StatusCounts }
export interface StationPin { id: number; name: string; lat: number; lon: number; summary: Status }
export interface MapAnswer { clusters: Cluster[]; stations: StationPin[] }

export interface Connector { id: number; evseId: string; type: string; speed: number; status: Status; statusChangedAt: string | null }
export interface StationDetail {
  id: number; name: string; lat: number; lon: number; deleted?: boolean;
  address: Record<string, unknown> | null;
  owner: { partnerId: number; name: string | null; partnerIdentifier: string };
  summary: Status;
  connectors: Connector[];
  recentChanges: { at: string; evseId: string; status: Status }[];
}

export type RfidAuth = 'online' | 'offline' | 'none';
export interface ApiKeyInfo { id: string | number; createdAt: string; revokedAt: string | null }
export interface Partner {
  id: number; name: string; roles: string[]; partnerIdentifiers: string[]; evcoPrefixes: string[];
  endpoint: string | null; rfidAuth: RfidAuth; keys: ApiKeyInfo[];
  traffic: { requests: number; errors: number };
}

export interface TrafficMessage {
  at: string; direction: 'in' | 'out'; call: string; partnerId: number | null; partnerName: string | null;
  code: number | null; latencyMs: number; error?: string;
}
export interface StatusEvent { stationId: number; evseId: string; status: Status; summary: Status; lat: number; lon: number; at: string }

export interface SessionRow { id: string; evseId: string; userType: string; userId: string; partnerId: number; state: string; startedAt: string; stoppedAt: string | null }
export interface CdrRow {
  id: string | number; sessionId: string; evseId: string; evcoId: string | null; rfid: string | null;
  startedAt: string; endedAt: string; energyKwh: number | null; price: unknown; cpoPartnerId: number;
}
export interface Forwarding {
  outboxId: number; partnerId: number; partnerName: string; state: string; attempts: number;
  lastCode: number | null; lastError: string | null; createdAt: string; deliveredAt: string | null;
}
export interface OutboxRow { partnerId: number; partnerName: string; pending: number; failing: number; dead: number; delivered: number }
export interface Stats {
  requestsPerMinute: { minute: string; byCall: Record<string, number> }[];
  codesOverTime: { minute: string; byCode: Record<string, number> }[];
  stationsByStatus: StatusCounts;
  totals: { stations: number; connectors: number; partners: number };
}
