/**
 * station-get-surface (shared/protocol.md, "POI"): live stations in the box (edges included),
 * private ones only for their owner, filtered, at most `surfaceLimit`, nearest to the box centre
 * first, `hasMore` when more matched.
 */
import { OioiError } from '../../protocol/errors.js';
import type { StationGetSurface } from '../../protocol/messages/station.js';
import type { ConnectorStatusValue, SurfaceQuery } from '../../storage/poi.js';
import type { HubContext } from '../context.js';
import { isoOf, statusSummary } from './format.js';
import { reservationViews } from './reservation-view.js';

/** The answer as plain records (see by-ids.ts on why not the schema's Static type). */
type SurfaceAnswer = { hasMore: boolean; stations: Array<Record<string, unknown> & { id: number }> };

/** The storage question of a request; throws 230 when a corner is on the wrong side. */
export function surfaceQueryOf(payload: StationGetSurface, askerPartnerId: number, limit: number): SurfaceQuery {
  const { 'min-lat': minLat, 'max-lat': maxLat, 'min-long': minLon, 'max-long': maxLon } = payload;
  // A box across the antimeridian would need two queries; none of the spec's users need it, and a
  // swapped box is more likely a client bug than that: say so rather than answer nothing.
  if (minLat > maxLat) throw new OioiError(230, 'station-get-surface.min-lat: is greater than max-lat', { httpStatus: 400 });
  if (minLon > maxLon) throw new OioiError(230, 'station-get-surface.min-long: is greater than max-long', { httpStatus: 400 });
  const f = payload.filters ?? {};
  const q: SurfaceQuery = { minLat, maxLat, minLon, maxLon, askerPartnerId, limit };
  // Empty lists mean "no filter", like an absent one. `payable` does not narrow: every station of
  // the hub can be paid through the hub by every EMP/OEM partner (docs/protocol-decisions.md).
  if (f.excludes?.length) q.excludes = f.excludes;
  if (f['company-types']?.length) q.companyTypes = f['company-types'];
  if (f['connector-types']?.length) q.connectorTypes = f['connector-types'];
  if (f['connector-speeds-greater'] !== undefined) q.speedAtLeast = f['connector-speeds-greater'];
  if (f['connector-speeds-less'] !== undefined) q.speedAtMost = f['connector-speeds-less'];
  if (f['operator-ids']?.length) q.operatorIds = f['operator-ids'];
  return q;
}

/**
 * Answers one station-get-surface for the partner `asker`.
 * Example: `await stationsInBox(ctx, 5, { 'min-lat': 52, 'max-lat': 53, 'min-long': 13, 'max-long': 14 })`.
 */
export async function stationsInBox(ctx: HubContext, asker: number, payload: StationGetSurface): Promise<SurfaceAnswer> {
  const { stations, hasMore } = await ctx.storage.poi.surface(surfaceQueryOf(payload, asker, ctx.config.surfaceLimit));
  const connectorIds: number[] = [];
  for (const s of stations) for (const c of s.connectors) connectorIds.push(c.id);
  const reserved = await reservationViews(ctx, connectorIds, asker, payload.user);
  const out: SurfaceAnswer['stations'] = new Array(stations.length);
  for (let i = 0; i < stations.length; i++) {
    const s = stations[i]!;
    const statuses: Record<string, ConnectorStatusValue> = {};
    let reservations: Record<string, { end: string; own: boolean }> | undefined;
    for (const c of s.connectors) {
      statuses[String(c.id)] = c.status;
      if (reserved.size === 0) continue;
      const r = reserved.get(c.id);
      if (r) (reservations ??= {})[String(c.id)] = r;
    }
    const station: SurfaceAnswer['stations'][number] = {
      id: s.id,
      name: s.name,
      latitude: s.latitude,
      longitude: s.longitude,
      'dynamic-status-summary': statusSummary(s.connectors.map((c) => c.status)),
      'owner-type': s.ownerType,
      'last-static-change': isoOf(s.staticChangedAt),
      'connector-statuses': statuses,
    };
    if (reservations) station['connector-reservations'] = reservations;
    out[i] = station;
  }
  return { hasMore, stations: out };
}
