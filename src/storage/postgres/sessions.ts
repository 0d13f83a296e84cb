/** PostgreSQL implementation of SessionRepository (tables of migrations 400 and 410, connectors of 200). */
import {
  ReservationClashError,
  type ConnectorOwner, type RemoteSessionInput, type RemoteSessionRecord, type ReservationIdentifierKey, type ReservationInput, type ReservationRecord, type SessionRepository,
} from '../sessions.js';
import type { SessionForCdrQuery } from '../cdrs.js';
import { isUniqueViolation, type NamedStatement, type PgDatabase } from './database.js';
import { toReservation, toSession, type ReservationRow as ReservationRowBase, type SessionRow } from '../rows/sessions.js';

/** A reservation row as SELECT_RESERVATIONS gives it: identifiers aggregated in. */
type ReservationRow = ReservationRowBase & { identifiers: ReservationIdentifierKey[] };

const reservationOf = (r: ReservationRow): ReservationRecord => toReservation(r, r.identifiers);

const CONNECTOR_SQL = `SELECT c.id AS "connectorId", c.evse_id AS "evseId", c.evse_key AS "evseKey", s.partner_id AS "cpoPartnerId", s.partner_identifier AS "cpoIdentifier"
  FROM connectors c JOIN stations s ON s.id = c.station_id WHERE s.deleted = 0 AND`;

/**
 * Reservations with their identifiers in the order they were added (ctid: the rows are only ever
 * inserted, so physical order is insertion order, like SQLite's rowid).
 */
const SELECT_RESERVATIONS = `SELECT r.*, coalesce((SELECT json_agg(json_build_object('kind', i.kind, 'valueKey', i.value_key) ORDER BY i.ctid)
  FROM reservation_identifiers i WHERE i.reservation_id = r.id), '[]') AS identifiers FROM reservations r`;

/** Sessions and reservations on PostgreSQL. Example: `await new PgSessions(db).connectorById(1356)`. */
export class PgSessions implements SessionRepository {
  constructor(private readonly db: PgDatabase) {}

  async connectorByEvseKey(evseKey: string): Promise<ConnectorOwner | undefined> {
    return (await this.db.query<ConnectorOwner>(`${CONNECTOR_SQL} c.evse_key = $1 ORDER BY c.id LIMIT 1`, [evseKey]))[0];
  }

  async connectorById(id: number): Promise<ConnectorOwner | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    return (await this.db.query<ConnectorOwner>(`${CONNECTOR_SQL} c.id = $1`, [id]))[0];
  }

  async recordStart(i: RemoteSessionInput, consumeReservation?: number): Promise<RemoteSessionRecord> {
    const row = await this.db.tx(async (c) => {
      // One start per EVSE at a time across processes: "close the older ones, add mine" must not interleave.
      await c.query("SELECT pg_advisory_xact_lock(hashtext('evse:' || $1))", [i.connector.evseKey]);
      await c.query("UPDATE remote_sessions SET state = 'stopped', stopped_at = $1 WHERE evse_key = $2 AND state = 'active'", [i.startedAt, i.connector.evseKey]);
      if (consumeReservation !== undefined) {
        await c.query("UPDATE reservations SET state = 'ended', ended_at = $1 WHERE id = $2 AND state = 'active'", [i.startedAt, consumeReservation]);
      }
      const { rows } = await c.query<SessionRow>(
        `INSERT INTO remote_sessions (partner_id, cpo_partner_id, connector_id, evse_id, evse_key, user_type, user_id, user_key, cpo_session_id, stoppable, started_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
        [i.partnerId, i.connector.cpoPartnerId, i.connector.connectorId, i.connector.evseId, i.connector.evseKey,
          i.userType, i.userId, i.userKey, i.cpoSessionId ?? null, i.stoppable ? 1 : 0, i.startedAt],
      );
      return rows[0]!;
    });
    return toSession(row);
  }

  async activeSessions(evseKey: string): Promise<RemoteSessionRecord[]> {
    return (await this.db.query<SessionRow>("SELECT * FROM remote_sessions WHERE evse_key = $1 AND state = 'active' ORDER BY id DESC", [evseKey])).map(toSession);
  }

  async markStopped(id: number, at: number): Promise<void> {
    await this.db.query("UPDATE remote_sessions SET state = 'stopped', stopped_at = $1 WHERE id = $2 AND state = 'active'", [at, id]);
  }

  async sessionForCdr(q: SessionForCdrQuery): Promise<RemoteSessionRecord | undefined> {
    const [row] = await this.db.query<{ session: SessionRow | null }>(SESSION_FOR_CDR_SQL, sessionForCdrParams(q));
    return row?.session ? toSession(row.session) : undefined;
  }

  async activeReservationOn(connectorId: number, at: number): Promise<ReservationRecord | undefined> {
    const [r] = await this.db.query<ReservationRow>(
      `${SELECT_RESERVATIONS} WHERE r.connector_id = $1 AND r.state = 'active' AND r.starts_at <= $2 AND r.ends_at > $2 ORDER BY r.id DESC LIMIT 1`, [connectorId, at],
    );
    return r && reservationOf(r);
  }

  async activeReservationsOf(valueKey: string, at: number): Promise<ReservationRecord[]> {
    const rows = await this.db.query<ReservationRow>(
      `${SELECT_RESERVATIONS} WHERE r.state = 'active' AND r.ends_at > $2
         AND EXISTS (SELECT 1 FROM reservation_identifiers i WHERE i.reservation_id = r.id AND i.value_key = $1) ORDER BY r.id DESC`,
      [valueKey, at],
    );
    return rows.map(reservationOf);
  }

  async addReservation(i: ReservationInput): Promise<ReservationRecord> {
    try {
      const id = await this.db.tx(async (c) => {
        // A reservation whose window closed is no longer active, whether or not the expiry sweep ran yet.
        await c.query("UPDATE reservations SET state = 'ended', ended_at = ends_at WHERE connector_id = $1 AND state = 'active' AND ends_at <= $2",
          [i.connector.connectorId, i.startsAt]);
        const { rows } = await c.query<{ id: number }>(
          `INSERT INTO reservations (connector_id, partner_id, evco_id, starts_at, ends_at, state, cpo_reservation_id, cpo_partner_id, evse_id)
           VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8) RETURNING id`,
          [i.connector.connectorId, i.partnerId, i.evcoId, i.startsAt, i.endsAt, i.cpoReservationId ?? null, i.connector.cpoPartnerId, i.connector.evseId],
        );
        const rid = rows[0]!.id;
        // One row at a time, in the order given: activeReservationsOf answers them in that order.
        const seen = new Set<string>();
        for (const k of i.identifiers) {
          const key = `${k.kind}\u0000${k.valueKey}`;
          if (seen.has(key)) continue;
          seen.add(key);
          await c.query('INSERT INTO reservation_identifiers (reservation_id, kind, value_key) VALUES ($1, $2, $3)', [rid, k.kind, k.valueKey]);
        }
        return rid;
      });
      return reservationOf((await this.db.query<ReservationRow>(`${SELECT_RESERVATIONS} WHERE r.id = $1`, [id]))[0]!);
    } catch (error) {
      if (isUniqueViolation(error, 'reservations_one_active')) throw new ReservationClashError(i.connector.connectorId);
      throw error;
    }
  }

  async endReservation(id: number, state: 'cancelled' | 'ended', at: number): Promise<void> {
    await this.db.query("UPDATE reservations SET state = $1, ended_at = $2 WHERE id = $3 AND state = 'active'", [state, at, id]);
  }

  async expireReservations(at: number): Promise<number> {
    return (await this.db.query("UPDATE reservations SET state = 'ended', ended_at = ends_at WHERE state = 'active' AND ends_at <= $1 RETURNING id", [at])).length;
  }
}

/**
 * The remote session a CDR belongs to, as one JSON value (a `remote_sessions` row, or NULL): the
 * newest with the CPO's session id on that EVSE, else the newest on that EVSE for that user started
 * within the window, from five SQL values: session id, EVSE key, user key, started after, started
 * by (all NULL: no session). One expression, so a CDR's read asks it along with everything else in
 * one round trip. Example: `SELECT ${sessionForCdrOf('$1::text', '$2::text', '$3::text', '$4::bigint', '$5::bigint')} AS session`.
 */
export function sessionForCdrOf(id: string, evse: string, user: string, after: string, by: string): string {
  return `coalesce(
    (SELECT to_json(s) FROM remote_sessions s WHERE s.cpo_session_id = ${id} AND s.evse_key = ${evse} ORDER BY s.id DESC LIMIT 1),
    (SELECT to_json(s) FROM remote_sessions s WHERE s.evse_key = ${evse} AND s.user_key = ${user} AND s.started_at BETWEEN ${after} AND ${by}
      ORDER BY s.started_at DESC, s.id DESC LIMIT 1))`;
}

/** The parameters of SESSION_FOR_CDR_SQL for `q` (NULLs without it). Example: `[...sessionForCdrParams(q)]`. */
export function sessionForCdrParams(q: SessionForCdrQuery | undefined): unknown[] {
  return q ? [q.cpoSessionId, q.evseKey, q.userKey, q.startedAfter, q.startedBy] : [null, null, null, null, null];
}

const SESSION_FOR_CDR_SQL: NamedStatement = { name: 'oioi_session_for_cdr', text: `SELECT ${sessionForCdrOf('$1::text', '$2::text', '$3::text', '$4::bigint', '$5::bigint')} AS session` };
