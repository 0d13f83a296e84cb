/**
 * Station look-ups by EMPs and OEMs: station-get-surface (a lat/long box), station-get-by-ids
 * (details of at most ten stations) and station-get-usage (docs/calls/station_get_*.rst).
 * Stations, connectors and companies are named here by the hub's integer ids.
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { ConnectorStatus, ConnectorType, DateTime, Latitude, Longitude, connectorTypes, isRecord } from './common.js';
import { Currency, HubId, Money, Nullable, Text, UserIdentifier, normalizeUserOf, successResponse } from './call-parts.js';
import { AddressOut, ContactOut, OpenHourNotes, normalizeAddress, normalizeContact, normalizeStationParts } from './station-parts.js';

/** Where a reservation of a connector ends; `own` when the asking user holds it. */
export const ReservationInfo = Type.Object({ end: DateTime, own: Type.Boolean() });

// ---- station-get-surface ----

export const surfaceSummaries = ['Available', 'Occupied', 'Offline'] as const;
/** The station summary of station-get-surface (shared/protocol.md says how the hub derives it). */
export const SurfaceStatusSummary = Type.Union([Type.Enum(surfaceSummaries), Type.Null()], {
  errorMessage: 'not a status summary (Available, Occupied, Offline or null)',
});

export const SurfaceFilters = Type.Object({
  excludes: Type.Optional(Type.Array(HubId, { maxItems: 10_000 })),
  'company-types': Type.Optional(Type.Array(Text(64), { maxItems: 100 })),
  'connector-types': Type.Optional(Type.Array(ConnectorType, { maxItems: connectorTypes.length * 2 })),
  'connector-speeds-greater': Type.Optional(Type.Number({ minimum: 0 })),
  'connector-speeds-less': Type.Optional(Type.Number({ minimum: 0 })),
  'operator-ids': Type.Optional(Type.Array(HubId, { maxItems: 1000 })),
  payable: Type.Optional(Type.Array(Text(64), { maxItems: 100 })),
});

export const SurfaceStation = Type.Object({
  id: HubId,
  name: Text(255),
  latitude: Latitude,
  longitude: Longitude,
  'dynamic-status-summary': SurfaceStatusSummary,
  'owner-type': Type.Union([Text(64), Type.Null()]),
  'last-static-change': DateTime,
  // Keyed by the hub's connector id written as a string.
  'connector-statuses': Type.Record(Type.String(), ConnectorStatus),
  'connector-reservations': Type.Optional(Type.Record(Type.String(), ReservationInfo)),
});

export const stationGetSurface = defineCall({
  name: 'station-get-surface',
  roles: ['emp', 'oem'],
  request: Type.Object({
    user: Type.Optional(UserIdentifier),
    'min-lat': Latitude,
    'max-lat': Latitude,
    'min-long': Longitude,
    'max-long': Longitude,
    // The field list does not call `filters` optional, but every filter in it is; an absent
    // object means the same as an empty one, so it is not worth a 230.
    filters: Type.Optional(SurfaceFilters),
  }),
  response: successResponse({
    stations: Type.Optional(Type.Array(SurfaceStation, { maxItems: 100_000 })),
    hasMore: Type.Optional(Type.Boolean()),
  }, ['stations', 'hasMore']),
  normalizeRequest: normalizeUserOf,
});

// ---- station-get-by-ids ----

/** At most ten ids per call (the spec's limit); more is a 230. */
export const StationIds = Type.Array(HubId, { minItems: 1, maxItems: 10, errorMessage: 'must hold 1 to 10 hub station ids' });

export const ConnectorPrices = Type.Object({
  'starting-fee': Money,
  'charging-per-hour': Money,
  'parking-per-hour': Money,
  'charging-per-kwh': Money,
  currency: Currency,
});

export const detailConnectorNames = ['UNKNOWN', ...connectorTypes] as const;
export const DetailConnectorName = Type.Enum(detailConnectorNames, { errorMessage: 'not a known connector type' });

export const DetailConnector = Type.Object({
  id: HubId,
  status: Nullable(ConnectorStatus),
  'last-change': Nullable(DateTime),
  name: Nullable(DetailConnectorName),
  speed: Nullable(Text(32)),
  mode: Nullable(Text(32)),
  // The EVSE ID when the CPO has one, otherwise any id of the CPO's: not checked as an EVSE ID.
  'external-id': Nullable(Text(255)),
  prices: Nullable(ConnectorPrices),
  reservation: Nullable(ReservationInfo),
});

export const StationDetail = Type.Object({
  id: HubId,
  address: Nullable(AddressOut),
  contact: Nullable(ContactOut),
  'operator-company-id': Nullable(HubId),
  'operator-logo': Nullable(Text(2048)),
  'floor-level': Nullable(Type.Integer()),
  'is-free-charge': Type.Boolean(),
  'last-static-change': Nullable(DateTime),
  'last-dynamic-change': Nullable(DateTime),
  name: Text(255),
  description: Nullable(Text(4096)),
  latitude: Latitude,
  longitude: Longitude,
  'open-hour-notes': Nullable(OpenHourNotes),
  'total-parking': Type.Integer({ minimum: 0 }),
  notes: Nullable(Text(4096)),
  'is-green-power-available': Type.Boolean(),
  'is-plugin-charge': Type.Boolean(),
  'is-roofed': Type.Boolean(),
  'is-reservable': Type.Boolean(),
  'has-dynamic-info': Type.Boolean(),
  'is-open-24': Type.Boolean(),
  'dynamic-status-summary': Nullable(ConnectorStatus),
  'is-validated': Type.Boolean(),
  'is-private': Type.Boolean(),
  'owner-company-id': Nullable(HubId),
  'service-providers': Nullable(Type.Array(HubId, { maxItems: 1000 })),
  connectors: Nullable(Type.Array(DetailConnector, { maxItems: 1000 })),
});

/** An operator, owner or service provider a returned station refers to by id. */
export const Company = Type.Object({
  id: HubId,
  name: Text(255),
  contact: Nullable(ContactOut),
  address: Nullable(AddressOut),
  description: Nullable(Text(4096)),
  type: Nullable(Text(64)),
});

export const stationGetByIds = defineCall({
  name: 'station-get-by-ids',
  roles: ['emp', 'oem'],
  request: Type.Object({
    user: Type.Optional(UserIdentifier),
    'station-ids': StationIds,
  }),
  response: successResponse({
    stations: Type.Optional(Type.Array(StationDetail, { maxItems: 1000 })),
    companies: Type.Optional(Type.Array(Company, { maxItems: 10_000 })),
  }, ['stations', 'companies']),
  normalizeRequest: normalizeUserOf,
  normalizeResponse(body) {
    if (Array.isArray(body.stations)) for (const s of body.stations) normalizeStationParts(s);
    if (Array.isArray(body.companies)) {
      for (const c of body.companies) {
        if (!isRecord(c)) continue;
        normalizeAddress(c.address);
        normalizeContact(c.contact);
      }
    }
    return body;
  },
});

// ---- station-get-usage ----

export const stationGetUsage = defineCall({
  name: 'station-get-usage',
  roles: ['emp', 'oem'],
  request: Type.Object({ 'station-id': HubId }),
  response: successResponse({
    'station-usage': Type.Optional(Type.Object({
      'last-7-days-usage-count': Nullable(Type.Integer({ minimum: 0 })),
      'last-30-days-usage-count': Nullable(Type.Integer({ minimum: 0 })),
      'last-station-usage-date': Nullable(DateTime),
    })),
  }, ['station-usage']),
});

export type StationGetSurface = Static<typeof stationGetSurface.request>;
export type StationGetSurfaceResponse = Static<typeof stationGetSurface.response>;
export type SurfaceStationData = Static<typeof SurfaceStation>;
export type StationGetByIds = Static<typeof stationGetByIds.request>;
export type StationGetByIdsResponse = Static<typeof stationGetByIds.response>;
export type StationDetailData = Static<typeof StationDetail>;
export type CompanyData = Static<typeof Company>;
export type StationGetUsage = Static<typeof stationGetUsage.request>;
export type StationGetUsageResponse = Static<typeof stationGetUsage.response>;
