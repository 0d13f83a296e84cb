/**
 * Remote sessions and reservations as storage keeps them (shared/protocol.md, "Remote start/stop
 * and reservations"). Times are ms since epoch. Implemented by sqlite/sessions.ts.
 */
import type { SessionForCdrQuery } from './cdrs.js';

/** A live connector and the CPO that owns it. */
export interface ConnectorOwner {
  /** Hub connector id. */
  connectorId: number;
  /** As the CPO posted it: what the hub sends back to the CPO. */
  evseId: string;
  evseKey: string;
  cpoPartnerId: number;
  /** The partner identifier the station was posted under. */
  cpoIdentifier: string;
}

export interface RemoteSessionInput {
  partnerId: number;
  connector: ConnectorOwner;
  userType: string;
  userId: string;
  /** Normalized identifier (canonical EVCO ID, padded UID) used for comparisons. */
  userKey: string;
  cpoSessionId?: string;
  stoppable: boolean;
  startedAt: number;
}

export interface RemoteSessionRecord {
  id: number;
  partnerId: number;
  cpoPartnerId: number;
  connectorId: number;
  evseId: string;
  evseKey: string;
  userType: string;
  userId: string;
  userKey: string;
  cpoSessionId?: string;
  stoppable: boolean;
  state: 'active' | 'stopped';
  startedAt: number;
  stoppedAt?: number;
}

export type ReservationState = 'active' | 'cancelled' | 'ended';
export interface ReservationIdentifierKey { kind: 'evco-id' | 'rfid'; valueKey: string }

export interface ReservationInput {
  partnerId: number;
  connector: ConnectorOwner;
  /** The first EVCO ID of the request (shown by station-get-surface). */
  evcoId: string | null;
  identifiers: ReservationIdentifierKey[];
  startsAt: number;
  endsAt: number;
  cpoReservationId?: string;
}

export interface ReservationRecord {
  id: number;
  connectorId: number;
  partnerId: number;
  cpoPartnerId: number;
  evseId: string;
  evcoId: string | null;
  identifiers: ReservationIdentifierKey[];
  startsAt: number;
  endsAt: number;
  state: ReservationState;
  cpoReservationId?: string;
}

/**
 * addReservation's refusal: the connector already has an active reservation (another request or
 * another hub process recorded it first). The reservation service answers 323.
 */
export class ReservationClashError extends Error {
  override name = 'ReservationClashError';
  constructor(readonly connectorId: number) {
    super(`connector ${connectorId} already has an active reservation`);
  }
}

export interface SessionRepository {
  /** The live (not deleted) connector with this EVSE key. Example: `await repo.connectorByEvseKey('DE8PSE1')`. */
  connectorByEvseKey(evseKey: string): Promise<ConnectorOwner | undefined>;
  /** The live connector with this hub id. */
  connectorById(id: number): Promise<ConnectorOwner | undefined>;
  /** Records a started session; older sessions still open on that EVSE are closed (one car per EVSE), and `consumeReservation` ends. */
  recordStart(input: RemoteSessionInput, consumeReservation?: number): Promise<RemoteSessionRecord>;
  /** Open sessions on an EVSE, newest first. */
  activeSessions(evseKey: string): Promise<RemoteSessionRecord[]>;
  markStopped(id: number, at: number): Promise<void>;
  /**
   * The remote session a CDR belongs to: by the CPO's session id, else the newest one on that EVSE
   * for that user started between `startedAfter` and `startedBy`.
   */
  sessionForCdr(q: SessionForCdrQuery): Promise<RemoteSessionRecord | undefined>;
  /** The active reservation of a connector at `at`, if any. */
  activeReservationOn(connectorId: number, at: number): Promise<ReservationRecord | undefined>;
  /** Active reservations naming this identifier, newest first. */
  activeReservationsOf(valueKey: string, at: number): Promise<ReservationRecord[]>;
  /** Records a reservation; throws ReservationClashError when the connector already has an active one. */
  addReservation(input: ReservationInput): Promise<ReservationRecord>;
  endReservation(id: number, state: 'cancelled' | 'ended', at: number): Promise<void>;
  /** Marks reservations whose window closed before `at` as ended; returns how many. */
  expireReservations(at: number): Promise<number>;
}
