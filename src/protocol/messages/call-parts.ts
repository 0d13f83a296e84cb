/**
 * Schema pieces shared by the station, session, rfid, reservation, tariff, company and api
 * families: the `user` object, connector references that may be a hub id, responses whose payload
 * is required only on success, and the lenient readers they need.
 */
import Type, { type TSchema } from 'typebox';
import { EVSE_ID_PATTERN } from '../identifiers/evse-id.js';
import { normalizeUid } from '../identifiers/uid.js';
import { EvcoId, Uid, isRecord, response } from './common.js';

/** A hub's own integer id of a station, connector or company (shared/protocol.md, "Station ids"). */
export const HubId = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, errorMessage: 'not a hub id (a non-negative integer)' });

/** A hub integer id written as a decimal string (`"1356"`), as in `connector-id` and map keys. */
export const HUB_ID_STRING_PATTERN = '^[0-9]{1,16}$';

/**
 * `connector-id` of remote start/stop and reservations: an EVSE ID or the hub's integer connector
 * id in decimal (the spec's own session-start example sends `"1356"`). A JSON number is turned into
 * its string by `normalizeConnectorRef`, so handlers always see a string.
 */
export const ConnectorRef = Type.String({
  pattern: `^(?:${EVSE_ID_PATTERN.slice(1, -1)}|${HUB_ID_STRING_PATTERN.slice(1, -1)})$`,
  errorMessage: 'not a valid EVSE ID or hub connector id',
});

/** Whether a `connector-id` names a hub connector id rather than an EVSE ID. Example: `isHubConnectorRef('1356') === true`. */
export function isHubConnectorRef(value: string): boolean {
  return /^[0-9]+$/.test(value);
}

/** Turns a numeric `connector-id` into its decimal string; anything else is left for validation. */
export function normalizeConnectorRef(value: unknown): unknown {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value;
}

/** A UID read leniently: upper-cased and zero-padded when it can be; otherwise left for validation. */
export function readUid(value: unknown): unknown {
  return typeof value === 'string' ? (normalizeUid(value) ?? value) : value;
}

/** ISO 4217 currency code (`EUR`). */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', errorMessage: 'not an ISO 4217 currency code' });

/** An amount as a decimal string (`"1.23"`), as the spec writes prices. */
export const Money = Type.String({ pattern: '^-?[0-9]{1,12}(?:\\.[0-9]{1,6})?$', errorMessage: 'not a decimal amount (like "1.23")' });

/** A bounded free text. */
export function Text(maxLength: number, minLength = 0) {
  return Type.String({ minLength, maxLength });
}

/** An optional response field that may also be `null` (response pages allow both). */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Optional(Type.Union([schema, Type.Null()]));
}

export const identifierTypes = ['evco-id', 'rfid', 'username', 'token'] as const;
export const IdentifierType = Type.Enum(identifierTypes, {
  errorMessage: `not an identifier type (${identifierTypes.join(', ')})`,
});

/**
 * `if identifier-type is X then identifier is Y`: JSON Schema conditionals keep the error on the
 * field (`user.identifier: not a valid EVCO ID`) where a union would only say "no branch matched".
 */
export function identifierChecks(typeKey: string, valueKey: string) {
  return [
    { if: { required: [typeKey], properties: { [typeKey]: { const: 'evco-id' } } }, then: { properties: { [valueKey]: EvcoId } } },
    { if: { required: [typeKey], properties: { [typeKey]: { const: 'rfid' } } }, then: { properties: { [valueKey]: Uid } } },
  ];
}

/** The `user` object that names a customer in session and station-get calls. */
export const UserIdentifier = Type.Object(
  {
    'identifier-type': IdentifierType,
    identifier: Text(255, 1),
    token: Type.Optional(Text(1024)),
  },
  { allOf: identifierChecks('identifier-type', 'identifier') },
);

/** Normalizes an RFID identifier of an `identifier-type`/`identifier` pair in place. */
export function normalizeIdentifierPair(obj: unknown, typeKey = 'identifier-type', valueKey = 'identifier'): void {
  if (isRecord(obj) && obj[typeKey] === 'rfid') obj[valueKey] = readUid(obj[valueKey]);
}

/** Normalizes `payload.user` when present; returns the payload. */
export function normalizeUserOf<T>(payload: T): T {
  if (isRecord(payload)) normalizeIdentifierPair(payload.user);
  return payload;
}

/**
 * A response whose payload keys are optional (error answers carry only `result`) but `required`
 * when the code is a success (0xx).
 * Example: `successResponse({ urls: Type.Array(Type.String()) }, ['urls'])`.
 */
export function successResponse<P extends Record<string, TSchema>>(props: P, required: readonly (keyof P & string)[]) {
  const schema = response(props);
  if (required.length === 0) return schema;
  return Type.Object(schema.properties, {
    allOf: [{
      if: { required: ['result'], properties: { result: { required: ['code'], properties: { code: { maximum: 99 } } } } },
      then: { required: [...required] },
    }],
  });
}
