/**
 * reservation-start and reservation-stop, EMP/OEM -> hub -> CPO (shared/protocol.md, "Remote
 * start/stop and reservations"; docs/calls/reservation_start.rst, reservation_stop.rst). The hub
 * keeps each reservation's window so station-get-surface can show it and so it can answer 323 /
 * 194 / 189 without asking the CPO.
 */
import { formatDateTime, isSuccess, oioiError, parseDateTime } from '../../protocol/index.js';
import type { ReservationStart, ReservationStop } from '../../protocol/messages/reservation.js';
import { ReservationClashError, type ReservationIdentifierKey, type ReservationRecord } from '../../storage/sessions.js';
import type { HandlerContext } from '../../transport/server/index.js';
import type { HubContext } from '../context.js';
import { cpoEndpoint, relayResult, resolveConnector, sendToCpo } from './cpo.js';
import { ownsEvco, userKey } from './identity.js';

/** The window the hub records when a CPO accepts without saying when it ends. */
export const DEFAULT_RESERVATION_MS = 15 * 60_000;

/** Connectors with a reservation-start in flight: a second one at the same time is 323 too. */
const inFlight = new WeakMap<HubContext, Set<number>>();

/**
 * Reserves a connector at its CPO and records the window.
 * Example: `await startReservation(ctx, payload, 7)` -> `{ result, 'reservation-start': { end } }`.
 */
export async function startReservation(ctx: HubContext, p: ReservationStart, partnerId: number) {
  const connector = await resolveConnector(ctx, p['connector-id']);
  // Claimed before any await, so two concurrent requests for one EVSE cannot both reach the CPO.
  let busy = inFlight.get(ctx);
  if (!busy) inFlight.set(ctx, (busy = new Set()));
  if (busy.has(connector.connectorId)) throw oioiError(323, `EVSE ${connector.evseId} is being reserved`);
  busy.add(connector.connectorId);
  try {
    const now = ctx.now().getTime();
    if (await ctx.storage.sessions.activeReservationOn(connector.connectorId, now)) throw oioiError(323, `EVSE ${connector.evseId} is already reserved`);
    const identifiers: ReservationIdentifierKey[] = p.identifier.flatMap((i) => [
      { kind: 'evco-id' as const, valueKey: userKey('evco-id', i['evco-id']) },
      ...(i.rfid ? [{ kind: 'rfid' as const, valueKey: userKey('rfid', i.rfid) }] : []),
    ]);
    for (const i of identifiers.filter((x) => x.kind === 'evco-id')) {
      if ((await ctx.storage.sessions.activeReservationsOf(i.valueKey, now)).length > 0) throw oioiError(194, `EVCO ID ${i.valueKey} has another active reservation`);
    }
    const { cpo, endpoint } = cpoEndpoint(ctx, connector.cpoPartnerId);
    const answer = await sendToCpo(ctx, cpo, endpoint, 'reservation-start', { 'connector-id': connector.evseId, identifier: p.identifier });
    const result = relayResult(answer);
    if (!isSuccess(result.code)) return { result };
    const end = answer.body['reservation-start']?.end;
    const parsed = typeof end === 'string' ? parseDateTime(end) : undefined;
    const startsAt = ctx.now().getTime();
    const endsAt = parsed && parsed.getTime() > startsAt ? parsed.getTime() : startsAt + DEFAULT_RESERVATION_MS;
    try {
      await ctx.storage.sessions.addReservation({
        partnerId, connector, evcoId: identifiers[0]?.valueKey ?? null, identifiers, startsAt, endsAt,
      });
    } catch (err) {
      // Another hub process on the same database recorded a reservation of this EVSE first.
      if (err instanceof ReservationClashError) throw oioiError(323, `EVSE ${connector.evseId} is already reserved`);
      throw err;
    }
    return { result, 'reservation-start': { end: formatDateTime(new Date(endsAt)) } };
  } finally {
    busy.delete(connector.connectorId);
  }
}

/** Whether a partner may cancel: it made the reservation, or it is the EMP of one of its EVCO IDs. */
function mayCancel(ctx: HubContext, r: ReservationRecord, partnerId: number): boolean {
  if (r.partnerId === partnerId) return true;
  const partner = ctx.auth.partner(partnerId);
  return r.identifiers.some((i) => i.kind === 'evco-id' && ownsEvco(partner, i.valueKey));
}

/**
 * Cancels the active reservation an identifier belongs to (any of its identifiers cancels it for
 * all, docs/cpo/reservation.rst). Another partner's reservation is 189 like an unknown one.
 * Example: `await stopReservation(ctx, { 'identifier-type': 'evco-id', identifier: 'DE*8PS*156456730*9' }, 7)`.
 */
export async function stopReservation(ctx: HubContext, p: ReservationStop, partnerId: number) {
  const now = ctx.now().getTime();
  const connectorId = p['connector-id'] === undefined ? undefined : (await resolveConnector(ctx, p['connector-id']).catch(() => undefined))?.connectorId;
  if (p['connector-id'] !== undefined && connectorId === undefined) throw oioiError(189, 'reservation not found');
  const reservation = (await ctx.storage.sessions.activeReservationsOf(userKey(p['identifier-type'], p.identifier), now))
    .find((r) => (connectorId === undefined || r.connectorId === connectorId) && mayCancel(ctx, r, partnerId));
  if (!reservation) throw oioiError(189, 'reservation not found');
  const { cpo, endpoint } = cpoEndpoint(ctx, reservation.cpoPartnerId);
  // The spec's reservation-stop names no EVSE; the hub adds it so a CPO need not search (extra fields are ignored by readers).
  const answer = await sendToCpo(ctx, cpo, endpoint, 'reservation-stop', {
    'identifier-type': p['identifier-type'], identifier: p.identifier, 'connector-id': reservation.evseId,
  });
  const result = relayResult(answer);
  if (isSuccess(result.code)) await ctx.storage.sessions.endReservation(reservation.id, 'cancelled', ctx.now().getTime());
  // The CPO no longer holds it (expired or used there): the hub stops showing it too.
  else if (result.code === 189) await ctx.storage.sessions.endReservation(reservation.id, 'ended', ctx.now().getTime());
  return { result };
}

/** The reservation-start / reservation-stop handlers. */
export function reservationHandlers(ctx: HubContext) {
  return {
    'reservation-start': (p: ReservationStart, h: HandlerContext) => startReservation(ctx, p, Number(h.principal.partnerId)),
    'reservation-stop': (p: ReservationStop, h: HandlerContext) => stopReservation(ctx, p, Number(h.principal.partnerId)),
  };
}
