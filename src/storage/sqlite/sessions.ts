/** SQLite implementation of SessionRepository (tables of migration 400, connectors of 200). */
import {
  ReservationClashError,
  type ConnectorOwner, type RemoteSessionInput, type RemoteSessionRecord, type ReservationIdentifierKey, type ReservationInput, type ReservationRecord, type SessionRepository,
} from '../sessions.js';
import type { SessionForCdrQuery } from '../cdrs.js';
import type { Db, SqliteDatabase } from './database.js';
import { preparedOn } from './statement-cache.js';
import { toReservation, toSession, type ReservationRow, type SessionRow } from '../rows/sessions.js';

const CONNECTOR_SQL = `SELECT c.id AS connectorId, c.evse_id AS evseId, c.evse_key AS evseKey, s.partner_id AS cpoPartnerId, s.partner_identifier AS cpoIdentifier
  FROM connectors c JOIN stations s ON s.id = c.station_id WHERE s.deleted = 0 AND`;

/** Sessions and reservations on SQLite. Example: `await new SqliteSessions(db).connectorById(1356)`. */
export class SqliteSessions implements SessionRepository {
  constructor(private readonly s: SqliteDatabase) {}

  private reservation(r: ReservationRow): ReservationRecord {
    const identifiers = preparedOn(this.s.db, 'SELECT kind, value_key AS valueKey FROM reservation_identifiers WHERE reservation_id = ? ORDER BY rowid').all(r.id) as ReservationIdentifierKey[];
    return toReservation(r, identifiers);
  }

  async connectorByEvseKey(evseKey: string): Promise<ConnectorOwner | undefined> {
    return preparedOn(this.s.db, `${CONNECTOR_SQL} c.evse_key = ? ORDER BY c.id LIMIT 1`).get(evseKey) as ConnectorOwner | undefined;
  }

  async connectorById(id: number): Promise<ConnectorOwner | undefined> {
    return preparedOn(this.s.db, `${CONNECTOR_SQL} c.id = ?`).get(id) as ConnectorOwner | undefined;
  }

  async recordStart(i: RemoteSessionInput, consumeReservation?: number): Promise<RemoteSessionRecord> {
    const id = await this.s.write((db) => {
      preparedOn(db, "UPDATE remote_sessions SET state = 'stopped', stopped_at = ? WHERE evse_key = ? AND state = 'active'").run(i.startedAt, i.connector.evseKey);
      if (consumeReservation !== undefined) preparedOn(db, "UPDATE reservations SET state = 'ended', ended_at = ? WHERE id = ? AND state = 'active'").run(i.startedAt, consumeReservation);
      return Number(preparedOn(db, `INSERT INTO remote_sessions (partner_id, cpo_partner_id, connector_id, evse_id, evse_key, user_type, user_id, user_key, cpo_session_id, stoppable, started_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(i.partnerId, i.connector.cpoPartnerId, i.connector.connectorId, i.connector.evseId, i.connector.evseKey,
        i.userType, i.userId, i.userKey, i.cpoSessionId ?? null, i.stoppable ? 1 : 0, i.startedAt).lastInsertRowid);
    });
    return toSession(preparedOn(this.s.db, 'SELECT * FROM remote_sessions WHERE id = ?').get(id) as SessionRow);
  }

  async activeSessions(evseKey: string): Promise<RemoteSessionRecord[]> {
    return (preparedOn(this.s.db, "SELECT * FROM remote_sessions WHERE evse_key = ? AND state = 'active' ORDER BY id DESC").all(evseKey) as SessionRow[]).map(toSession);
  }

  async markStopped(id: number, at: number): Promise<void> {
    await this.s.write((db) => preparedOn(db, "UPDATE remote_sessions SET state = 'stopped', stopped_at = ? WHERE id = ? AND state = 'active'").run(at, id));
  }

  async sessionForCdr(q: SessionForCdrQuery): Promise<RemoteSessionRecord | undefined> {
    return sessionForCdrOn(this.s.db, q);
  }

  async activeReservationOn(connectorId: number, at: number): Promise<ReservationRecord | undefined> {
    const r = preparedOn(this.s.db, "SELECT * FROM reservations WHERE connector_id = ? AND state = 'active' AND starts_at <= ? AND ends_at > ? ORDER BY id DESC LIMIT 1").get(connectorId, at, at) as ReservationRow | undefined;
    return r && this.reservation(r);
  }

  async activeReservationsOf(valueKey: string, at: number): Promise<ReservationRecord[]> {
    const rows = preparedOn(this.s.db, `SELECT r.* FROM reservations r JOIN reservation_identifiers i ON i.reservation_id = r.id
      WHERE i.value_key = ? AND r.state = 'active' AND r.ends_at > ? GROUP BY r.id ORDER BY r.id DESC`).all(valueKey, at) as ReservationRow[];
    return rows.map((r) => this.reservation(r));
  }

  async addReservation(i: ReservationInput): Promise<ReservationRecord> {
    const id = await this.s.write((db) => {
      // A reservation whose window closed is no longer active, whether or not the expiry sweep ran yet.
      preparedOn(db, "UPDATE reservations SET state = 'ended', ended_at = ends_at WHERE connector_id = ? AND state = 'active' AND ends_at <= ?").run(i.connector.connectorId, i.startsAt);
      if (preparedOn(db, "SELECT 1 FROM reservations WHERE connector_id = ? AND state = 'active'").get(i.connector.connectorId)) throw new ReservationClashError(i.connector.connectorId);
      const rid = Number(preparedOn(db, `INSERT INTO reservations (connector_id, partner_id, evco_id, starts_at, ends_at, state, cpo_reservation_id, cpo_partner_id, evse_id)
        VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?)`).run(i.connector.connectorId, i.partnerId, i.evcoId, i.startsAt, i.endsAt, i.cpoReservationId ?? null,
        i.connector.cpoPartnerId, i.connector.evseId).lastInsertRowid);
      const add = preparedOn(db, 'INSERT OR IGNORE INTO reservation_identifiers (reservation_id, kind, value_key) VALUES (?, ?, ?)');
      for (const k of i.identifiers) add.run(rid, k.kind, k.valueKey);
      return rid;
    });
    return this.reservation(preparedOn(this.s.db, 'SELECT * FROM reservations WHERE id = ?').get(id) as ReservationRow);
  }

  async endReservation(id: number, state: 'cancelled' | 'ended', at: number): Promise<void> {
    await this.s.write((db) => preparedOn(db, "UPDATE reservations SET state = ?, ended_at = ? WHERE id = ? AND state = 'active'").run(state, at, id));
  }

  async expireReservations(at: number): Promise<number> {
    return this.s.write((db) => preparedOn(db, "UPDATE reservations SET state = 'ended', ended_at = ends_at WHERE state = 'active' AND ends_at <= ?").run(at).changes);
  }
}

/**
 * The remote session a CDR belongs to: the newest with the CPO's session id on that EVSE, else the
 * newest on that EVSE for that user started within the window. Run inside the CDR's write
 * (`CdrPost.session`), where its two statements open no read transaction of their own.
 */
export function sessionForCdrOn(db: Db, q: SessionForCdrQuery): RemoteSessionRecord | undefined {
  const row = (preparedOn(db, 'SELECT * FROM remote_sessions WHERE cpo_session_id = ? AND evse_key = ? ORDER BY id DESC LIMIT 1').get(q.cpoSessionId, q.evseKey)
    ?? preparedOn(db, 'SELECT * FROM remote_sessions WHERE evse_key = ? AND user_key = ? AND started_at BETWEEN ? AND ? ORDER BY started_at DESC, id DESC LIMIT 1')
      .get(q.evseKey, q.userKey, q.startedAfter, q.startedBy)) as SessionRow | undefined;
  return row && toSession(row);
}
