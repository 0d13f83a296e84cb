/** station-post: a CPO creates, updates or soft-deletes one station with its connectors (docs/calls/station_post.rst). */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { ConnectorType, EvseId, Latitude, Longitude, PartnerIdentifier, isRecord, response } from './common.js';
import { Text } from './call-parts.js';
import { Address, Contact, OpenHourNotes, normalizeStationParts } from './station-parts.js';

/** The CPO's operator id, the first part of its EVSE IDs (`DE*8PS`). */
export const CpoId = Type.String({ pattern: '^[A-Za-z]{2}\\*?[A-Za-z0-9]{3}$', errorMessage: 'not a valid CPO id (like DE*8PS)' });

/** The CPO's own station id: any string, unique per CPO (shared/protocol.md, "Station ids"). */
export const CpoStationId = Type.String({ minLength: 1, maxLength: 255, errorMessage: 'not a valid station id (1 to 255 characters)' });

export const StationConnector = Type.Object({
  id: EvseId,
  name: ConnectorType,
  // kW; the upper bound only keeps nonsense out (today's fastest chargers deliver about 1 MW).
  speed: Type.Number({ minimum: 0, maximum: 10_000 }),
});

export const Station = Type.Object({
  id: CpoStationId,
  name: Text(255, 1),
  description: Type.Optional(Text(4096)),
  latitude: Latitude,
  longitude: Longitude,
  address: Address,
  contact: Contact,
  'cpo-id': CpoId,
  'is-open-24': Type.Boolean(),
  connectors: Type.Array(StationConnector, { minItems: 1, maxItems: 1000 }),
  'open-hour-notes': Type.Optional(OpenHourNotes),
  notes: Type.Optional(Text(4096)),
  'is-reservable': Type.Optional(Type.Boolean()),
  'floor-level': Type.Optional(Type.Integer({ minimum: -100, maximum: 1000 })),
  'is-free-charge': Type.Optional(Type.Boolean()),
  'total-parking': Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
  'is-green-power-available': Type.Optional(Type.Boolean()),
  'is-plugin-charge': Type.Optional(Type.Boolean()),
  'is-roofed': Type.Optional(Type.Boolean()),
  'is-private': Type.Optional(Type.Boolean()),
  // Required after lenient reading: a missing `deleted` means the station is live.
  deleted: Type.Boolean(),
});

export const stationPost = defineCall({
  name: 'station-post',
  roles: ['cpo'],
  request: Type.Object({
    station: Station,
    'partner-identifier': PartnerIdentifier,
  }),
  response: response(),
  normalizeRequest(payload) {
    const station = payload.station;
    if (isRecord(station)) {
      normalizeStationParts(station);
      if (station.deleted === undefined) station.deleted = false;
    }
    return payload;
  },
});

export type StationPost = Static<typeof stationPost.request>;
export type StationData = Static<typeof Station>;
export type StationConnectorData = Static<typeof StationConnector>;
