/**
 * User accounts: registration, log-in, password reset and change, log-out, personal details
 * (docs/calls/user_register.rst, user_verify, user_reset, user_logout, user_change_password,
 * user_get_details, user_post_details).
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { EvcoId, isRecord, response } from './common.js';
import {
  Country, Language, NAME_MAX, Name, Nullable, OptNull, Secret, TEXT_MAX, UserOnlyRequest,
  lenientCountry, lenientLanguage, normalizeUserPayload, normalizeUserRef, userRefChecks, userRefProperties,
} from './user-common.js';

const Email = Type.String({ maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$', errorMessage: 'not an e-mail address' });
const Username = Type.String({ minLength: 1, maxLength: NAME_MAX });

/**
 * A postal address. Only `country` is called mandatory by the spec, so the other parts may be
 * missing or null (a driver may give a city without a street).
 */
export const Address = Type.Object({
  street: OptNull(Name),
  'street-number': OptNull(Name),
  zip: OptNull(Name),
  city: OptNull(Name),
  country: Country,
});
export type Address = Static<typeof Address>;

/**
 * user-get-details answers the whole record, so every field is present (null when unknown);
 * user-post-details may send any subset (a field left out is not changed).
 */
export const UserDetails = Type.Object({
  'first-name': Nullable(Name),
  'last-name': Nullable(Name),
  address: Nullable(Address),
  'billing-name': Nullable(Name),
  'billing-address': Nullable(Address),
  locale: Nullable(Language),
  vat: Nullable(Name),
  'social-security-number': Nullable(Name),
  'evco-id': Nullable(EvcoId),
  phone: Nullable(Name),
  'company-name': Nullable(Name),
});
export type UserDetails = Static<typeof UserDetails>;

export const UserDetailsUpdate = Type.Object({
  'first-name': OptNull(Name),
  'last-name': OptNull(Name),
  address: OptNull(Address),
  'billing-name': OptNull(Name),
  'billing-address': OptNull(Address),
  locale: OptNull(Language),
  vat: OptNull(Name),
  'social-security-number': OptNull(Name),
  phone: OptNull(Name),
});
export type UserDetailsUpdate = Static<typeof UserDetailsUpdate>;

/** Street numbers such as "12-15" are text, but a bare number is meant as the same text. */
function normalizeAddress(address: unknown): void {
  if (!isRecord(address)) return;
  if (typeof address['street-number'] === 'number' && Number.isFinite(address['street-number'])) {
    address['street-number'] = String(address['street-number']);
  }
  if (address.country !== undefined) address.country = lenientCountry(address.country);
}

/** normalizeRequest of the calls whose only lenient reading is the language code. */
function normalizeLanguage(p: unknown): unknown {
  if (isRecord(p) && p.language !== undefined) p.language = lenientLanguage(p.language);
  return p;
}

function normalizeDetails(details: unknown): void {
  if (!isRecord(details)) return;
  normalizeAddress(details.address);
  normalizeAddress(details['billing-address']);
  if (details.locale !== undefined) details.locale = lenientLanguage(details.locale);
}

export const userRegister = defineCall({
  name: 'user-register',
  roles: ['emp', 'oem'],
  request: Type.Object({
    username: Username,
    email: Email,
    password: Secret,
    language: Type.Optional(Language),
    'receive-newsletters': Type.Optional(Type.Boolean()),
  }),
  // The page lists token and evco-id as the answer; its example (followed here) nests them in `user`.
  response: response({ user: Type.Optional(Type.Object({ token: Secret, 'evco-id': EvcoId })) }),
  normalizeRequest: normalizeLanguage,
});

export const userVerify = defineCall({
  name: 'user-verify',
  roles: ['emp', 'oem'],
  request: Type.Object({
    username: Username,
    password: Secret,
    'is-token': Type.Boolean(),
    language: Type.Optional(Language),
  }),
  response: response({ user: Type.Optional(Type.Object({ token: Secret, 'evco-id': Type.Optional(EvcoId) })) }),
  normalizeRequest: normalizeLanguage,
});

export const userReset = defineCall({
  name: 'user-reset',
  roles: ['emp', 'oem'],
  request: Type.Object({ identifier: Username }),
  response: response(),
});

export const userLogout = defineCall({
  name: 'user-logout',
  roles: ['emp', 'oem'],
  request: UserOnlyRequest,
  response: response(),
  normalizeRequest: normalizeUserPayload,
});

export const userChangePassword = defineCall({
  name: 'user-change-password',
  roles: ['emp', 'oem'],
  request: Type.Object({ username: Username, 'current-password': Secret, 'new-password': Secret }),
  response: response(),
});

export const userGetDetails = defineCall({
  name: 'user-get-details',
  roles: ['emp', 'oem'],
  request: UserOnlyRequest,
  response: response({ user: Type.Optional(UserDetails) }),
  normalizeRequest: normalizeUserPayload,
  normalizeResponse: (body) => {
    if (isRecord(body)) normalizeDetails(body.user);
    return body;
  },
});

export const userPostDetails = defineCall({
  name: 'user-post-details',
  roles: ['emp', 'oem'],
  // The field list nests `details` inside `user`; the page's example puts it beside `user`.
  request: Type.Object({
    user: Type.Object({ ...userRefProperties, details: UserDetailsUpdate }, { allOf: userRefChecks }),
  }),
  // `reason` explains a refusal; the example carries it inside a `user-post-details` object.
  response: response({ reason: Type.Optional(Type.String({ maxLength: TEXT_MAX })) }),
  normalizeRequest: (p) => {
    if (!isRecord(p)) return p;
    if (isRecord(p.user) && p.user.details === undefined && p.details !== undefined) {
      p.user.details = p.details;
      delete p.details;
    }
    normalizeUserRef(p.user);
    if (isRecord(p.user)) normalizeDetails(p.user.details);
    return p;
  },
  normalizeResponse: (body) => {
    const inner = isRecord(body) ? body['user-post-details'] : undefined;
    if (isRecord(inner) && typeof inner.reason === 'string' && body.reason === undefined) body.reason = inner.reason;
    return body;
  },
});

export const userAccountCalls = {
  'user-register': userRegister,
  'user-verify': userVerify,
  'user-reset': userReset,
  'user-logout': userLogout,
  'user-change-password': userChangePassword,
  'user-get-details': userGetDetails,
  'user-post-details': userPostDetails,
} as const;
