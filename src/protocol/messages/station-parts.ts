/**
 * Pieces of a station shared by station-post (what a CPO sends) and station-get-by-ids (what a
 * hub answers): address, contact, opening hours, and the lenient readers of shared/protocol.md.
 */
import Type from 'typebox';
import { isRecord } from './common.js';
import { Nullable, Text } from './call-parts.js';

/** ISO 3166-1 alpha-2, as station-post asks for. Case is not checked: `de` is read as sent. */
export const CountryCode = Type.String({ pattern: '^[A-Za-z]{2}$', errorMessage: 'not an ISO 3166-1 alpha-2 country code' });

/** The address a CPO posts: every field present; `street-number` a string after lenient reading. */
export const Address = Type.Object({
  street: Text(255),
  'street-number': Text(32),
  city: Text(255, 1),
  zip: Text(32),
  country: CountryCode,
});

/** The contact a CPO posts: a phone, the rest optional. `website` is read as `web`. */
export const Contact = Type.Object({
  phone: Text(64),
  fax: Type.Optional(Text(64)),
  web: Type.Optional(Text(2048)),
  email: Type.Optional(Text(255)),
});

/**
 * Address as hubs answer it: every field optional or null. `country` is free text here because
 * hubs in the field answer country names ("Germany"), as the spec's own example does.
 */
export const AddressOut = Type.Object({
  street: Nullable(Text(255)),
  'street-number': Nullable(Text(32)),
  city: Nullable(Text(255)),
  zip: Nullable(Text(32)),
  country: Nullable(Text(255)),
});

export const ContactOut = Type.Object({
  email: Nullable(Text(255)),
  web: Nullable(Text(2048)),
  phone: Nullable(Text(64)),
  fax: Nullable(Text(64)),
});

export const weekdays = ['Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa', 'Su'] as const;
export const Weekday = Type.Enum(weekdays, { errorMessage: `not a weekday (${weekdays.join(', ')})` });

/** `HH:MM`, with `24:00` allowed as the end of a day. */
export const TimeOfDay = Type.String({ pattern: '^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', errorMessage: 'not a time of day (HH:MM)' });

/**
 * Canonical form of "open all day": the spec's examples also write it `"[24h]"` and `["24h"]`;
 * readers turn both into this pair so code downstream knows one shape only.
 */
export const ALL_DAY: readonly [string, string] = Object.freeze(['00:00', '24:00']) as readonly [string, string];

/** One opening period: from `times[0]` to `times[1]`, on the days `days[0]` through `days[1]`. */
export const OpenHourNote = Type.Object({
  times: Type.Array(TimeOfDay, { minItems: 2, maxItems: 2 }),
  days: Type.Array(Weekday, { minItems: 2, maxItems: 2 }),
});
export const OpenHourNotes = Type.Array(OpenHourNote, { maxItems: 100 });

function isAllDayNotation(times: unknown): boolean {
  const text = typeof times === 'string' ? times : Array.isArray(times) && times.length === 1 ? times[0] : undefined;
  return typeof text === 'string' && /^\s*\[?\s*24h\s*\]?\s*$/i.test(text);
}

/** `streetNumber` -> `street-number`; a numeric street number -> its string. Mutates; never throws. */
export function normalizeAddress(address: unknown): void {
  if (!isRecord(address)) return;
  if ('streetNumber' in address) {
    if (address['street-number'] === undefined || address['street-number'] === null) address['street-number'] = address.streetNumber;
    delete address.streetNumber;
  }
  const n = address['street-number'];
  if (typeof n === 'number' && Number.isFinite(n)) address['street-number'] = String(n);
}

/** `website` -> `web` (the spec's field list and its example disagree; `web` is emitted). */
export function normalizeContact(contact: unknown): void {
  if (!isRecord(contact) || !('website' in contact)) return;
  if (contact.web === undefined || contact.web === null) contact.web = contact.website;
  delete contact.website;
}

/** Every "open all day" notation -> `ALL_DAY`. */
export function normalizeOpenHourNotes(notes: unknown): void {
  if (!Array.isArray(notes)) return;
  for (const note of notes) {
    if (isRecord(note) && isAllDayNotation(note.times)) note.times = [...ALL_DAY];
  }
}

/**
 * The lenient readings every station representation shares: address, contact, opening hours,
 * and `notes: true/false` (seen in the field) treated as absent. Mutates; never throws.
 */
export function normalizeStationParts(station: unknown): void {
  if (!isRecord(station)) return;
  normalizeAddress(station.address);
  normalizeContact(station.contact);
  normalizeOpenHourNotes(station['open-hour-notes']);
  if (typeof station.notes === 'boolean') delete station.notes;
}
