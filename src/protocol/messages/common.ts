/**
 * Schema pieces shared by many calls. Every string identifier carries an `errorMessage` that
 * the parser puts in front of the JSON path when a value breaks its pattern.
 */
import Type from 'typebox';
import { EVSE_ID_PATTERN } from '../identifiers/evse-id.js';
import { EVCO_ID_PATTERN } from '../identifiers/evco-id.js';
import { UID_PATTERN } from '../identifiers/uid.js';

/** `result` of every response: an integer code and a message for people. */
export const Result = Type.Object({
  code: Type.Integer({ minimum: 0, maximum: 999 }),
  message: Type.String(),
});

/** A response that carries nothing but `result`; pass extra properties for the call's payload. */
export function response<P extends Record<string, any> = {}>(props?: P) {
  return Type.Object({ result: Result, ...(props ?? ({} as P)) });
}

export const EvseId = Type.String({ pattern: EVSE_ID_PATTERN, errorMessage: 'not a valid EVSE ID' });
export const EvcoId = Type.String({ pattern: EVCO_ID_PATTERN, errorMessage: 'not a valid EVCO ID' });
export const Uid = Type.String({ pattern: UID_PATTERN, errorMessage: 'not a valid RFID UID (8, 14 or 20 hex characters)' });

/**
 * The partner identifier as carried on the wire. The glossary asks for 16+ random characters,
 * but the spec's own examples send `"1"`; the hub checks it against the sender's key (211).
 */
export const PartnerIdentifier = Type.String({ minLength: 1, maxLength: 255, errorMessage: 'not a valid partner identifier' });

/** RFC 3339 date-time (`Z`, offsets and fractions are read). */
export const DATE_TIME_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:?[0-9]{2})$';
export const DateTime = Type.String({ pattern: DATE_TIME_PATTERN, errorMessage: 'not an RFC 3339 date-time' });

export const Latitude = Type.Number({ minimum: -90, maximum: 90 });
export const Longitude = Type.Number({ minimum: -180, maximum: 180 });

/** Connector types the spec lists for station-post. */
export const connectorTypes = [
  'Type2', 'Combo', 'Chademo', 'Schuko', 'Type3', 'CeeBlue', '3PinSquare', 'Type1', 'CeeRed',
  'Cee2Poles', 'Tesla', 'Scame', 'Nema5', 'CeePlus', 'T13', 'T15', 'T23', 'Marechal', 'TypeE',
] as const;
export const ConnectorType = Type.Enum(connectorTypes, { errorMessage: `not a known connector type (${connectorTypes.join(', ')})` });

/** Connector statuses of connector-post-status. */
export const connectorStatuses = ['Available', 'Occupied', 'Reserved', 'Offline', 'Unknown'] as const;
export const ConnectorStatus = Type.Enum(connectorStatuses, { errorMessage: 'not a connector status (Available, Occupied, Reserved, Offline, Unknown)' });

/** Whether a value is a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
