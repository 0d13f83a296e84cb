/**
 * How station look-ups show reservations (kept by the reservation slice): `end`, and `own` only
 * when the asking partner holds it for the user the request names (the spec: no user, not own).
 */
import type { ConnectorReservation } from '../../storage/poi.js';
import type { HubContext } from '../context.js';
import { isoOf } from './format.js';

export interface RequestUser { 'identifier-type': string; identifier: string }

const contractKey = (evco: string) => evco.toUpperCase().replace(/[*-]/g, '');

function isOwn(r: ConnectorReservation, asker: number, user: RequestUser | undefined): boolean {
  if (!user || r.partnerId !== asker) return false;
  // Only an EVCO ID can be compared with what the reservation recorded; other identifier types
  // name the partner's own user, and the partner made this reservation.
  if (user['identifier-type'] !== 'evco-id' || !r.evcoId) return true;
  return contractKey(user.identifier) === contractKey(r.evcoId);
}

/**
 * Active reservations of these connectors as `{ end, own }`, keyed by hub connector id.
 * Example: `(await reservationViews(ctx, [12], 3, undefined)).get(12)` -> `{ end: '…', own: false }`.
 */
export async function reservationViews(ctx: HubContext, connectorIds: number[], asker: number, user: RequestUser | undefined): Promise<Map<number, { end: string; own: boolean }>> {
  if (connectorIds.length === 0) return new Map();
  return viewsOf(await ctx.storage.poi.activeReservations(connectorIds, ctx.now().getTime()), asker, user);
}

/**
 * The views of reservations already read, keyed by hub connector id.
 * Example: `viewsOf(await ctx.storage.poi.activeReservations([12], now), 3, undefined).get(12)`.
 */
export function viewsOf(reservations: ConnectorReservation[], asker: number, user: RequestUser | undefined): Map<number, { end: string; own: boolean }> {
  const out = new Map<number, { end: string; own: boolean }>();
  for (const r of reservations) {
    const view = { end: isoOf(r.endsAt), own: isOwn(r, asker, user) };
    // Several records for one connector should not happen; the one ending last is the one that binds.
    const prev = out.get(r.connectorId);
    if (!prev || prev.end < view.end) out.set(r.connectorId, view);
  }
  return out;
}
