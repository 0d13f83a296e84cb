/**
 * session-start and session-stop from the hub, carried out on the charger with
 * RemoteStartTransaction / RemoteStopTransaction. A start is answered only once the charger's
 * StartTransaction arrived (bounded wait), so the `session-id` returned is the one the CDR will
 * carry and the session can be stopped at once.
 */
import { randomBytes } from 'node:crypto';
import { evseKey, formatDateTime, type RequestOf } from '../protocol/index.js';
import type { HandlerResult } from '../transport/server/index.js';
import type { CpoContext } from './context.js';
import { isTimeout } from './ocpp-errors.js';
import { isInUse } from './status.js';
import { openTransactionOn, transactionBySession } from './transactions.js';
import { activeReservationOn, reservationMatches } from './reservations.js';

type Answer<K extends 'session-start' | 'session-stop'> = HandlerResult<K>;
const fail = (code: number, message: string) => ({ result: { code, message } });


/**
 * Starts a session on the connector the hub names.
 * Example: `await sessionStart(ctx, { user, 'connector-id': 'DE*CPO*E1' })` -> `{ 'session-start': { 'session-id', 'is-stoppable': true } }`.
 */
export async function sessionStart(ctx: CpoContext, p: RequestOf<'session-start'>): Promise<Answer<'session-start'>> {
  const loc = ctx.config().evses.get(evseKey(String(p['connector-id'])));
  if (!loc) return fail(181, `EVSE ${p['connector-id']} is not one of this operator's`);
  const client = ctx.chargers.client(loc.chargePointId);
  if (!client) return fail(310, `the charger of EVSE ${loc.evseId} is offline`);
  const key = `${loc.chargePointId}/${loc.connectorId}`;
  if (openTransactionOn(ctx.db, loc.chargePointId, loc.connectorId) || isInUse(ctx.chargers.ocppStatus(loc)) || ctx.pendingStarts.get(key)?.resolve) {
    return fail(320, `EVSE ${loc.evseId} is already in use`);
  }
  const reservation = activeReservationOn(ctx, loc.evseId);
  if (reservation && !reservationMatches(reservation, p.user)) return fail(320, `EVSE ${loc.evseId} is reserved for another customer`);
  const user = { 'identifier-type': p.user['identifier-type'], identifier: p.user.identifier };
  // The charger only lets the reservation's idTag start on a reserved connector; otherwise a fresh
  // one-time token names this start, so the StartTransaction that follows is recognised.
  const idTag = reservation?.idTag ?? randomBytes(10).toString('hex').toUpperCase();
  const started = new Promise<string>((resolve) => {
    ctx.pendingStarts.set(key, { idTag, user, expiresAt: ctx.now() + 10 * 60_000, resolve });
  });
  let answer: any;
  try {
    answer = await client.call('RemoteStartTransaction', { connectorId: loc.connectorId, idTag }, { callTimeoutMs: ctx.settings.ocppCallTimeoutMs });
  } catch (err) {
    ctx.pendingStarts.delete(key);
    if (isTimeout(err)) return fail(312, `the charger of EVSE ${loc.evseId} did not answer in time`);
    return fail(310, `the charger of EVSE ${loc.evseId} could not start: ${(err as Error).message}`);
  }
  if (answer?.status !== 'Accepted') {
    ctx.pendingStarts.delete(key);
    return fail(310, `the charger of EVSE ${loc.evseId} rejected the remote start`);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ctx.settings.remoteStartTimeoutMs)));
  const sessionId = await Promise.race([started, timeout]);
  clearTimeout(timer);
  if (!sessionId) {
    // The token stays valid a while: a late StartTransaction is still billed to this user.
    const pending = ctx.pendingStarts.get(key);
    if (pending) delete pending.resolve;
    return fail(312, `no transaction started on EVSE ${loc.evseId} within ${ctx.settings.remoteStartTimeoutMs} ms`);
  }
  ctx.log.info({ msg: 'remote start', evseId: loc.evseId, sessionId, at: formatDateTime(new Date(ctx.now())) });
  return { result: { code: 0, message: 'Success.' }, 'session-start': { 'session-id': sessionId, 'is-stoppable': true } };
}

/** Stops the session the hub names (by session id, else the one running on the connector). */
export async function sessionStop(ctx: CpoContext, p: RequestOf<'session-stop'>): Promise<Answer<'session-stop'>> {
  const loc = ctx.config().evses.get(evseKey(String(p['connector-id'])));
  const tx = p['session-id'] ? transactionBySession(ctx.db, p['session-id']) : loc && openTransactionOn(ctx.db, loc.chargePointId, loc.connectorId);
  if (!tx || (loc && evseKey(tx.evseId) !== evseKey(loc.evseId))) return fail(182, 'no such session on this EVSE');
  if (tx.stoppedAt !== undefined) return { result: { code: 0, message: 'Session already stopped.' } };
  const client = ctx.chargers.client(tx.chargePoint);
  if (!client) return fail(310, `the charger of EVSE ${tx.evseId} is offline`);
  try {
    const answer: any = await client.call('RemoteStopTransaction', { transactionId: tx.id }, { callTimeoutMs: ctx.settings.ocppCallTimeoutMs });
    if (answer?.status !== 'Accepted') return fail(310, `the charger of EVSE ${tx.evseId} rejected the remote stop`);
  } catch (err) {
    if (isTimeout(err)) return fail(312, `the charger of EVSE ${tx.evseId} did not answer in time`);
    return fail(310, `the charger of EVSE ${tx.evseId} could not stop: ${(err as Error).message}`);
  }
  return { result: { code: 0, message: 'Success.' } };
}
