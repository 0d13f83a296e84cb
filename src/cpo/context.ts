/** What the gateway's parts share: storage, the outbox, the stations file, the connected chargers. */
import type { OioiClient } from '../transport/client/index.js';
import type { Logger } from '../transport/server/index.js';
import type { Decision } from './authorize.js';
import type { ChargePoints } from './charge-points.js';
import type { CpoOutbox } from './outbox.js';
import type { StationsConfig } from './stations-file.js';
import type { Db } from './store.js';
import type { TxUser } from './transactions.js';

export interface GatewaySettings {
  /** Seconds between Heartbeats asked of chargers in the BootNotification answer. */
  heartbeatIntervalS: number;
  /** How long a charger may stay disconnected before its connectors go Offline. */
  offlineGraceMs: number;
  /** How long session-start waits for the StartTransaction after RemoteStartTransaction. */
  remoteStartTimeoutMs: number;
  /** Deadline of every call the gateway makes to a charger. */
  ocppCallTimeoutMs: number;
  /** Post a session-post when a transaction starts, not only the final CDR. */
  postOngoingSessions: boolean;
  /** How long a reservation holds a connector. */
  reservationMs: number;
}

/** A remote start waiting for its StartTransaction (keyed by charge point and connector). */
export interface PendingStart { idTag: string; user: NonNullable<TxUser>; expiresAt: number; resolve?: (sessionId: string) => void }

export interface CpoContext {
  db: Db;
  log: Logger;
  outbox: CpoOutbox;
  hub: OioiClient;
  partnerIdentifier: string;
  settings: GatewaySettings;
  config(): StationsConfig;
  decide(idTag: string): Promise<Decision>;
  chargers: ChargePoints;
  /** Remote-start tokens issued and not yet used, by `chargePoint/connectorId`. */
  pendingStarts: Map<string, PendingStart>;
  now(): number;
}
