/**
 * Schema pieces and lenient readers shared by the user-*, fleet-* and vehicle-* families
 * (the calls an OEM, EMP or fleet sends on behalf of its drivers).
 */
import Type, { type Static, type TSchema } from 'typebox';
import { normalizeUid } from '../identifiers/uid.js';
import { EvcoId, Uid, isRecord } from './common.js';

/** Free-text limits: names and references are short; anything a person writes may be longer. */
export const NAME_MAX = 255;
export const TEXT_MAX = 4096;
/** Payment-provider URLs carry signed query strings that grow past the free-text limit. */
export const URL_MAX = 8192;
/** Upper bound for any list a user-scoped answer returns (sessions, keys, bills, plans). */
export const LIST_MAX = 1000;

export const Name = Type.String({ maxLength: NAME_MAX });
export const Text = Type.String({ maxLength: TEXT_MAX });
/** Session tokens and passwords are opaque to the protocol; bounded so a body cannot be all token. */
export const Secret = Type.String({ minLength: 1, maxLength: 1024 });
export const Url = Type.String({ maxLength: URL_MAX, pattern: '^https?://', errorMessage: 'not an http(s) URL' });
export const Language = Type.String({ pattern: '^[a-z]{2}$', errorMessage: 'not an ISO 639-1 language code (two lower-case letters)' });
export const Country = Type.String({ pattern: '^[A-Z]{2}$', errorMessage: 'not an ISO 3166-1 alpha-2 country code' });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', errorMessage: 'not an ISO 4217 currency code' });
/** Money as the spec writes it: a decimal string such as "1.23" (no float rounding on the wire). */
export const Decimal = Type.String({ pattern: '^-?[0-9]{1,12}(?:\\.[0-9]{1,6})?$', errorMessage: 'not a decimal amount (e.g. "1.23")' });
/** An MSP/operator code: country and party id without separator, e.g. DE8PS. */
export const PartyCode = Type.String({ pattern: '^[A-Z]{2}[A-Z0-9]{3}$', errorMessage: 'not a party code (country and 3-character party id, e.g. DE8PS)' });

/**
 * A closed list of strings. `Type.Enum` rather than a union of mapped literals: the latter
 * loses its static type (it infers `never`).
 */
export function OneOf<const T extends string[]>(values: readonly [...T], what: string) {
  return Type.Enum<T>(values, { errorMessage: `not a ${what} (${values.join(', ')})` });
}

/** The spec marks many values "can be null"; null and the value are then equally valid. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}
/** An optional field that may also be sent as null (the spec treats both as "no value"). */
export function OptNull<T extends TSchema>(schema: T) {
  return Type.Optional(Nullable(schema));
}

export const userIdentifierTypes = ['evco-id', 'rfid', 'username', 'token'] as const;
export type UserIdentifierType = (typeof userIdentifierTypes)[number];

/**
 * When the identifier is itself an EVCO ID or an RFID UID its form is checked too: a malformed
 * one can never match an account, so answering 230 says more than an authentication failure.
 * Reused by requests that extend the user object (user-post-details).
 */
export const userRefChecks = [
  {
    if: { properties: { 'identifier-type': { const: 'evco-id' } } },
    then: { properties: { identifier: EvcoId } },
    errorMessage: 'identifier is not a valid EVCO ID (identifier-type is evco-id)',
  },
  {
    if: { properties: { 'identifier-type': { const: 'rfid' } } },
    then: { properties: { identifier: Uid } },
    errorMessage: 'identifier is not a valid RFID UID (identifier-type is rfid)',
  },
];

/** How a request names the driver it acts for; `token` authenticates instead of a password. */
export const userRefProperties = {
  'identifier-type': OneOf(userIdentifierTypes, 'user identifier type'),
  identifier: Type.String({ minLength: 1, maxLength: NAME_MAX }),
  token: Type.Optional(Secret),
};
export const UserRef = Type.Object(userRefProperties, { allOf: userRefChecks });
export type UserRef = Static<typeof UserRef>;

/** A request whose payload is nothing but `user`. */
export const UserOnlyRequest = Type.Object({ user: UserRef });

// ---------------------------------------------------------------- lenient readers
// Each one takes whatever arrived and never throws; validation judges what is left.

/** Upper-cases and zero-pads a UID when that makes it valid; anything else is left alone. */
export function lenientUid(value: unknown): unknown {
  return typeof value === 'string' ? (normalizeUid(value) ?? value) : value;
}

/** Ids that moved from integers to strings (fleet UUID change): finite numbers become strings. */
export function lenientIdString(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
}

/** `DE*8PS`, `de-8ps` -> `DE8PS`; other values unchanged. */
export function lenientPartyCode(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[A-Za-z]{2}[*-]?[A-Za-z0-9]{3}$/.test(value)) return value;
  return value.replace(/[*-]/, '').toUpperCase();
}

/** A UID used as the user identifier is normalized like any other UID. */
export function normalizeUserRef(user: unknown): unknown {
  if (isRecord(user) && user['identifier-type'] === 'rfid') user.identifier = lenientUid(user.identifier);
  return user;
}

/** normalizeRequest for calls whose only lenient reading is the user reference. */
export function normalizeUserPayload(payload: any): unknown {
  if (isRecord(payload)) normalizeUserRef(payload.user);
  return payload;
}

let countryByName: Map<string, string> | undefined;
/**
 * English country names -> alpha-2, built once from the runtime's ICU data (no table to
 * maintain). Withdrawn codes that ICU still names (DD "Germany", UK "United Kingdom") are
 * skipped: a code counts only when it is its own canonical form.
 */
function countryCodeOf(name: string): string | undefined {
  if (!countryByName) {
    countryByName = new Map();
    try {
      const names = new Intl.DisplayNames(['en'], { type: 'region' });
      for (let a = 65; a <= 90; a++) {
        for (let b = 65; b <= 90; b++) {
          const code = String.fromCharCode(a, b);
          try {
            const label = names.of(code);
            if (!label || label === code || Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}`) continue;
            countryByName.set(label.toLowerCase(), code);
          } catch {
            // a code this runtime does not know
          }
        }
      }
    } catch {
      // a runtime without region names simply gets no name mapping
    }
  }
  return countryByName.get(name.trim().toLowerCase());
}

/** `de` -> `DE`; an English country name (`Germany`) -> its code; other values unchanged. */
export function lenientCountry(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (/^[A-Za-z]{2}$/.test(value)) return value.toUpperCase();
  return countryCodeOf(value) ?? value;
}

/** `EN` -> `en`; other values unchanged. */
export function lenientLanguage(value: unknown): unknown {
  return typeof value === 'string' && /^[A-Za-z]{2}$/.test(value) ? value.toLowerCase() : value;
}
