/** The POI calls of the hub: thin handlers over the services beside this file. */
import type { Handlers } from '../../transport/server/index.js';
import type { HubContext } from '../context.js';
import { stationsByIds } from './by-ids.js';
import { postConnectorStatus } from './connector-status.js';
import { partnerIdOf } from './format.js';
import { postStation } from './station-post.js';
import { stationsInBox } from './surface.js';
import { tariffsOfStations } from './tariffs.js';
import { stationUsage } from './usage.js';

// Answers are built as plain records (see by-ids.ts); `as never` hands them to the typed map.

/** Handlers of station-post, connector-post-status, station-get-*, tariffs-get-by-station-ids. */
export function poiHandlers(ctx: HubContext): Handlers {
  return {
    'station-post': async (payload, { principal }) => {
      await postStation(ctx, partnerIdOf(principal), payload);
      return {};
    },
    'connector-post-status': async (payload) => {
      await postConnectorStatus(ctx, payload['partner-identifier'], payload['connector-id'], payload.status);
      return {};
    },
    'station-get-surface': (payload, { principal }) => stationsInBox(ctx, partnerIdOf(principal), payload).then((a) => a as never),
    'station-get-by-ids': (payload, { principal }) => stationsByIds(ctx, partnerIdOf(principal), payload).then((a) => a as never),
    'station-get-usage': (payload, { principal }) => stationUsage(ctx, partnerIdOf(principal), payload).then((a) => a as never),
    'tariffs-get-by-station-ids': (payload, { principal }) => tariffsOfStations(ctx, partnerIdOf(principal), payload).then((a) => a as never),
  };
}
