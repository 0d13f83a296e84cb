/**
 * A driver's history: recent charging sessions and recently used stations
 * (docs/calls/user_get_recent_sessions.rst, user_get_recent_stations).
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { DateTime, Latitude, Longitude, isRecord, response } from './common.js';
import { Currency, Decimal, LIST_MAX, Name, Nullable, OptNull, Text, UserOnlyRequest, UserRef, normalizeUserPayload } from './user-common.js';

/** Either end may be unknown: a session still running, or one that never delivered energy. */
const Interval = Type.Object({ start: OptNull(DateTime), end: OptNull(DateTime) });

/** Optional fields of this answer may be left out or sent as null (the page says so). */
export const RecentSession = Type.Object({
  'request-sent': OptNull(DateTime),
  'connector-id': OptNull(Type.Integer()),
  'charging-station-id': OptNull(Type.Integer()),
  'session-interval': Interval,
  'charging-interval': Interval,
  'energy-consumed': OptNull(Type.Number({ minimum: 0 })),
  cost: Decimal,
  currency: Currency,
  'external-session-id': OptNull(Name),
  address: OptNull(Text),
});
export type RecentSession = Static<typeof RecentSession>;

export const recentStationStatuses = ['Available', 'Occupied', 'Offline'] as const;

/** A station as listed in the history; `id` is the hub's id for station-get-by-ids. */
export const RecentStation = Type.Object({
  id: Type.Integer(),
  name: Name,
  latitude: Latitude,
  longitude: Longitude,
  'dynamic-status-summary': Type.Union([Type.Enum(recentStationStatuses), Type.Null()], {
    errorMessage: 'not a status summary (Available, Occupied, Offline or null)',
  }),
  'owner-type': Nullable(Name),
});
export type RecentStation = Static<typeof RecentStation>;

export const userGetRecentSessions = defineCall({
  name: 'user-get-recent-sessions',
  roles: ['emp', 'oem'],
  request: UserOnlyRequest,
  response: response({
    user: Type.Optional(Type.Object({ sessions: Type.Array(RecentSession, { maxItems: LIST_MAX }) })),
  }),
  normalizeRequest: normalizeUserPayload,
});

export const userGetRecentStations = defineCall({
  name: 'user-get-recent-stations',
  roles: ['emp', 'oem'],
  request: Type.Object({ user: UserRef, limit: Type.Integer({ minimum: 1, maximum: LIST_MAX }) }),
  response: response({
    user: Type.Optional(Type.Object({ stations: Type.Array(RecentStation, { maxItems: LIST_MAX }) })),
  }),
  normalizeRequest: normalizeUserPayload,
  // The page's example nests the station list in a second array; one level is flattened.
  normalizeResponse: (body) => {
    const user = isRecord(body) ? body.user : undefined;
    if (isRecord(user) && Array.isArray(user.stations) && user.stations.some(Array.isArray)) {
      user.stations = user.stations.flatMap((s: unknown) => (Array.isArray(s) ? s : [s]));
    }
    return body;
  },
});

export const userHistoryCalls = {
  'user-get-recent-sessions': userGetRecentSessions,
  'user-get-recent-stations': userGetRecentStations,
} as const;
