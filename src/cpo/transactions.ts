/**
 * OCPP transactions as the gateway records them, and the CDR (session-post) each one becomes.
 * The transaction id the gateway hands to the charger is the row id; the OIOI session id is a
 * random UUID, so no two gateways (or a reset database) ever reuse one at the hub.
 */
import { randomUUID } from 'node:crypto';
import { formatDateTime, type RequestOf } from '../protocol/index.js';
import { cdrFigures } from './energy.js';
import type { Db } from './store.js';

/** Who a transaction is billed to: an OIOI user, or nobody (a refused card, kept for the record). */
export type TxUser = { 'identifier-type': 'evco-id' | 'rfid' | 'username' | 'token'; identifier: string } | undefined;

export interface Transaction {
  id: number;
  sessionId: string;
  chargePoint: string;
  connectorId: number;
  evseId: string;
  idTag: string;
  user: TxUser;
  remote: boolean;
  meterStart: number;
  startedAt: number;
  meterStop: number | undefined;
  stoppedAt: number | undefined;
}

interface TxRow {
  id: number; session_id: string; charge_point: string; connector_id: number; evse_id: string; id_tag: string;
  user_type: string; user_identifier: string; remote: number; meter_start: number; started_at: number; meter_stop: number | null; stopped_at: number | null;
}

function fromRow(r: TxRow): Transaction {
  return {
    id: r.id, sessionId: r.session_id, chargePoint: r.charge_point, connectorId: r.connector_id, evseId: r.evse_id, idTag: r.id_tag,
    user: r.user_type === 'none' ? undefined : { 'identifier-type': r.user_type as 'rfid', identifier: r.user_identifier },
    remote: r.remote === 1, meterStart: r.meter_start, startedAt: r.started_at, meterStop: r.meter_stop ?? undefined, stoppedAt: r.stopped_at ?? undefined,
  };
}

/**
 * Records a StartTransaction; returns the transaction with its id for the charger.
 * Example: `openTransaction(db, { chargePoint: 'CP1', connectorId: 1, evseId, idTag, user, remote: false, meterStart: 0, startedAt: Date.now() })`.
 */
export function openTransaction(db: Db, t: Omit<Transaction, 'id' | 'sessionId' | 'meterStop' | 'stoppedAt'>): Transaction {
  const sessionId = randomUUID();
  const id = Number(db.prepare(`INSERT INTO transactions (session_id, charge_point, connector_id, evse_id, id_tag, user_type, user_identifier, remote, meter_start, started_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(sessionId, t.chargePoint, t.connectorId, t.evseId, t.idTag, t.user?.['identifier-type'] ?? 'none', t.user?.identifier ?? '', t.remote ? 1 : 0, t.meterStart, t.startedAt).lastInsertRowid);
  return { ...t, id, sessionId, meterStop: undefined, stoppedAt: undefined };
}

/** A transaction by the id the charger knows. */
export function transactionById(db: Db, id: number): Transaction | undefined {
  const r = db.prepare('SELECT * FROM transactions WHERE id = ?').get(id) as TxRow | undefined;
  return r && fromRow(r);
}

/** A transaction by its OIOI session id. */
export function transactionBySession(db: Db, sessionId: string): Transaction | undefined {
  const r = db.prepare('SELECT * FROM transactions WHERE session_id = ?').get(sessionId) as TxRow | undefined;
  return r && fromRow(r);
}

/** The running transaction on a connector, if any. */
export function openTransactionOn(db: Db, chargePoint: string, connectorId: number): Transaction | undefined {
  const r = db.prepare('SELECT * FROM transactions WHERE charge_point = ? AND connector_id = ? AND stopped_at IS NULL ORDER BY id DESC LIMIT 1').get(chargePoint, connectorId) as TxRow | undefined;
  return r && fromRow(r);
}

/** Stores an energy register reading (Wh) of a transaction. */
export function addReading(db: Db, transactionId: number, at: number, wh: number): void {
  db.prepare('INSERT INTO meter_readings (transaction_id, at, wh) VALUES (?, ?, ?)').run(transactionId, at, wh);
}

/** Records a StopTransaction; false when the transaction was already stopped (a repeated message). */
export function closeTransaction(db: Db, id: number, meterStop: number, stoppedAt: number, reason: string | undefined): boolean {
  return db.prepare('UPDATE transactions SET meter_stop = ?, stopped_at = ?, stop_reason = ? WHERE id = ? AND stopped_at IS NULL').run(meterStop, stoppedAt, reason ?? null, id).changes === 1;
}

/**
 * The session-post of a transaction: ongoing (no stop) while it runs, the final CDR once stopped.
 * Example: `sessionPostOf(db, tx, 'PID…')['energy-consumed'] === 12.5`.
 */
export function sessionPostOf(db: Db, tx: Transaction, partnerIdentifier: string): RequestOf<'session-post'> | undefined {
  if (!tx.user) return undefined;
  const base = { user: tx.user, 'session-id': tx.sessionId, 'connector-id': tx.evseId, 'partner-identifier': partnerIdentifier };
  if (tx.stoppedAt === undefined || tx.meterStop === undefined) return { ...base, 'session-interval': { start: formatDateTime(new Date(tx.startedAt)) } };
  const readings = db.prepare('SELECT at, wh FROM meter_readings WHERE transaction_id = ?').all(tx.id) as Array<{ at: number; wh: number }>;
  // The charger's clock can put the stop before the start; a CDR interval must not run backwards.
  const stop = Math.max(tx.stoppedAt, tx.startedAt);
  const f = cdrFigures({ start: tx.startedAt, stop, meterStart: tx.meterStart, meterStop: tx.meterStop, readings });
  return {
    ...base,
    'session-interval': { start: formatDateTime(new Date(f.sessionStart)), stop: formatDateTime(new Date(f.sessionStop)) },
    ...(f.chargingStart !== undefined && f.chargingStop !== undefined ? { 'charging-interval': { start: formatDateTime(new Date(f.chargingStart)), stop: formatDateTime(new Date(f.chargingStop)) } } : {}),
    'energy-consumed': f.kWh,
  };
}
