/**
 * The station family: station-post (CPO -> hub) and the station-get-* look-ups (EMP/OEM -> hub).
 * Split in two files to keep each small; this one joins them into the family map.
 */
import { stationPost } from './station-post.js';
import { stationGetByIds, stationGetSurface, stationGetUsage } from './station-get.js';

export * from './station-post.js';
export * from './station-get.js';
export { ALL_DAY, weekdays, normalizeStationParts } from './station-parts.js';

export const stationCalls = {
  'station-post': stationPost,
  'station-get-surface': stationGetSurface,
  'station-get-by-ids': stationGetByIds,
  'station-get-usage': stationGetUsage,
} as const;
