/**
 * station-get-usage: how often a station was used lately. The hub sees every status post, so a
 * "use" is a connector going Occupied (CDRs would miss sessions started with another EMP's card).
 * Unknown, deleted and other partners' private stations: 181, as the page lists.
 */
import { oioiError } from '../../protocol/errors.js';
import type { StationGetUsage } from '../../protocol/messages/station.js';
import type { HubContext } from '../context.js';
import { isoOf } from './format.js';

/**
 * Answers one station-get-usage for the partner `asker`.
 * Example: `await stationUsage(ctx, 5, { 'station-id': 17 })` -> `{ 'station-usage': { 'last-7-days-usage-count': 2, … } }`.
 */
export async function stationUsage(ctx: HubContext, asker: number, payload: StationGetUsage) {
  const [station] = await ctx.storage.poi.stationsByIds([payload['station-id']], asker);
  if (!station) throw oioiError(181, `station ${payload['station-id']} not found`);
  const u = await ctx.storage.poi.usage(station.id, ctx.now().getTime());
  return {
    'station-usage': {
      'last-7-days-usage-count': u.last7Days,
      'last-30-days-usage-count': u.last30Days,
      'last-station-usage-date': u.lastUsedAt === null ? null : isoOf(u.lastUsedAt),
    },
  };
}
