/**
 * reservation-start / reservation-stop from the hub, carried out with ReserveNow and
 * CancelReservation. The reservation id the charger sees is the gateway's row id; the idTag is
 * the customer's card when the hub names one, else the contract id (so a remote start by the
 * same customer can use the reservation).
 */
import { evseKey, formatDateTime, type RequestOf } from '../protocol/index.js';
import type { HandlerResult } from '../transport/server/index.js';
import type { CpoContext } from './context.js';
import { isTimeout } from './ocpp-errors.js';
import { openTransactionOn } from './transactions.js';

type Identifiers = RequestOf<'reservation-start'>['identifier'];
export interface Reservation { id: number; evseId: string; chargePoint: string; connectorId: number; idTag: string; identifiers: Identifiers; expiresAt: number }

const fail = (code: number, message: string) => ({ result: { code, message } });
const norm = (s: string) => s.replace(/[*-]/g, '').toUpperCase();

function fromRow(r: any): Reservation {
  return { id: r.id, evseId: r.evse_id, chargePoint: r.charge_point, connectorId: r.connector_id, idTag: r.id_tag, identifiers: JSON.parse(r.identifiers), expiresAt: r.expires_at };
}

function active(ctx: CpoContext): Reservation[] {
  return (ctx.db.prepare('SELECT * FROM reservations WHERE ended = 0 AND expires_at > ?').all(ctx.now()) as any[]).map(fromRow);
}

/** The live reservation of an EVSE, if any. Example: `activeReservationOn(ctx, 'DE*CPO*E1')?.idTag`. */
export function activeReservationOn(ctx: CpoContext, evseId: string): Reservation | undefined {
  return active(ctx).find((r) => evseKey(r.evseId) === evseKey(evseId));
}

/** Whether a session-start user is the reservation's customer (same contract or card). */
export function reservationMatches(r: Reservation, user: { 'identifier-type': string; identifier: string }): boolean {
  const key = norm(user.identifier);
  return r.identifiers.some((i) => (user['identifier-type'] === 'rfid' ? i.rfid !== undefined && norm(i.rfid) === key : norm(i['evco-id']) === key));
}

/** The OCPP idTag (at most 20 characters) a reservation is held for. */
function idTagOf(identifiers: Identifiers): string {
  const first = identifiers[0]!;
  return (first.rfid ?? norm(first['evco-id'])).slice(0, 20);
}

/** Reserves a connector. Example: `await reservationStart(ctx, { 'connector-id': 'DE*CPO*E1', identifier: [{ 'evco-id': 'DE*EMP*000001*2' }] })`. */
export async function reservationStart(ctx: CpoContext, p: RequestOf<'reservation-start'>): Promise<HandlerResult<'reservation-start'>> {
  const loc = ctx.config().evses.get(evseKey(String(p['connector-id'])));
  if (!loc) return fail(181, `EVSE ${p['connector-id']} is not one of this operator's`);
  if (!loc.reservable) return fail(330, `EVSE ${loc.evseId} cannot be reserved`);
  const live = active(ctx);
  if (live.some((r) => evseKey(r.evseId) === evseKey(loc.evseId))) return fail(323, `EVSE ${loc.evseId} is already reserved`);
  const contracts = new Set(p.identifier.map((i) => norm(i['evco-id'])));
  if (live.some((r) => r.identifiers.some((i) => contracts.has(norm(i['evco-id']))))) return fail(194, 'this contract already holds a reservation');
  const client = ctx.chargers.client(loc.chargePointId);
  if (!client) return fail(310, `the charger of EVSE ${loc.evseId} is offline`);
  if (openTransactionOn(ctx.db, loc.chargePointId, loc.connectorId)) return fail(320, `EVSE ${loc.evseId} is already in use`);
  const expiresAt = ctx.now() + ctx.settings.reservationMs;
  const idTag = idTagOf(p.identifier);
  const id = Number(ctx.db.prepare('INSERT INTO reservations (evse_id, charge_point, connector_id, id_tag, identifiers, expires_at, ended) VALUES (?, ?, ?, ?, ?, ?, 1)')
    .run(loc.evseId, loc.chargePointId, loc.connectorId, idTag, JSON.stringify(p.identifier), expiresAt).lastInsertRowid);
  let status: string | undefined;
  try {
    const answer: any = await client.call('ReserveNow', { connectorId: loc.connectorId, expiryDate: new Date(expiresAt).toISOString(), idTag, reservationId: id }, { callTimeoutMs: ctx.settings.ocppCallTimeoutMs });
    status = answer?.status;
  } catch (err) {
    if (isTimeout(err)) return fail(312, `the charger of EVSE ${loc.evseId} did not answer in time`);
    return fail(310, `the charger of EVSE ${loc.evseId} could not reserve: ${(err as Error).message}`);
  }
  switch (status) {
    case 'Accepted':
      // Live only once the charger holds it: a refused reservation never blocks the EVSE here.
      ctx.db.prepare('UPDATE reservations SET ended = 0 WHERE id = ?').run(id);
      return { result: { code: 0, message: 'Success.' }, 'reservation-start': { end: formatDateTime(new Date(expiresAt)) } };
    case 'Occupied':
      return fail(320, `EVSE ${loc.evseId} is already in use`);
    case 'Rejected':
      return fail(330, `the charger of EVSE ${loc.evseId} does not take reservations`);
    default:
      return fail(310, `the charger of EVSE ${loc.evseId} cannot reserve now (${status})`);
  }
}

/** Cancels the reservation of a customer (on the named connector when given). */
export async function reservationStop(ctx: CpoContext, p: RequestOf<'reservation-stop'>): Promise<HandlerResult<'reservation-stop'>> {
  const key = norm(p.identifier);
  const evse = p['connector-id'] !== undefined ? evseKey(String(p['connector-id'])) : undefined;
  const r = active(ctx).find((x) => (!evse || evseKey(x.evseId) === evse)
    && x.identifiers.some((i) => (p['identifier-type'] === 'rfid' ? i.rfid !== undefined && norm(i.rfid) === key : norm(i['evco-id']) === key)));
  if (!r) return fail(189, 'no reservation of this customer');
  const client = ctx.chargers.client(r.chargePoint);
  if (!client) return fail(310, `the charger of EVSE ${r.evseId} is offline`);
  try {
    const answer: any = await client.call('CancelReservation', { reservationId: r.id }, { callTimeoutMs: ctx.settings.ocppCallTimeoutMs });
    ctx.db.prepare('UPDATE reservations SET ended = 1 WHERE id = ?').run(r.id);
    // The charger no longer knows it (expired or used): for the customer it is gone either way.
    if (answer?.status !== 'Accepted') return fail(189, 'the charger holds no such reservation');
  } catch (err) {
    if (isTimeout(err)) return fail(312, `the charger of EVSE ${r.evseId} did not answer in time`);
    return fail(310, `the charger of EVSE ${r.evseId} could not cancel: ${(err as Error).message}`);
  }
  return { result: { code: 0, message: 'Success.' } };
}
