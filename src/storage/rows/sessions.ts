/** The `remote_sessions` and `reservations` rows both engines read (migrations 400 and 410). */
import type { RemoteSessionRecord, ReservationIdentifierKey, ReservationRecord } from '../sessions.js';

/** A `remote_sessions` row as `SELECT *` gives it. */
export interface SessionRow {
  id: number; partner_id: number; cpo_partner_id: number; connector_id: number; evse_id: string; evse_key: string;
  user_type: string; user_id: string; user_key: string; cpo_session_id: string | null; stoppable: number;
  state: 'active' | 'stopped'; started_at: number; stopped_at: number | null;
}

/** A `reservations` row as `SELECT *` gives it (its identifiers live in another table). */
export interface ReservationRow {
  id: number; connector_id: number; partner_id: number; cpo_partner_id: number | null; evse_id: string | null; evco_id: string | null;
  starts_at: number; ends_at: number; state: ReservationRecord['state']; cpo_reservation_id: string | null;
}

/** The record of a session row; NULL columns are left out. Example: `row && toSession(row)`. */
export function toSession(r: SessionRow): RemoteSessionRecord {
  const s: RemoteSessionRecord = {
    id: r.id, partnerId: r.partner_id, cpoPartnerId: r.cpo_partner_id, connectorId: r.connector_id, evseId: r.evse_id, evseKey: r.evse_key,
    userType: r.user_type, userId: r.user_id, userKey: r.user_key, stoppable: r.stoppable === 1, state: r.state, startedAt: r.started_at,
  };
  if (r.cpo_session_id !== null) s.cpoSessionId = r.cpo_session_id;
  if (r.stopped_at !== null) s.stoppedAt = r.stopped_at;
  return s;
}

/** The record of a reservation row and its identifiers (in the order added). Example: `toReservation(row, [])`. */
export function toReservation(r: ReservationRow, identifiers: ReservationIdentifierKey[]): ReservationRecord {
  const out: ReservationRecord = {
    id: r.id, connectorId: r.connector_id, partnerId: r.partner_id, cpoPartnerId: r.cpo_partner_id ?? 0, evseId: r.evse_id ?? '',
    evcoId: r.evco_id, identifiers, startsAt: r.starts_at, endsAt: r.ends_at, state: r.state,
  };
  if (r.cpo_reservation_id !== null) out.cpoReservationId = r.cpo_reservation_id;
  return out;
}
