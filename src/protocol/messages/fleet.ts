/**
 * Fleets: card orders and their status changes, and the members of a fleet
 * (docs/calls/fleet_post_cards.rst, fleet_post_members.rst). The ids of both pages became
 * strings of up to 100 characters (UUIDs) in the spec's latest revision; older senders still
 * send integers, which are read as their decimal text.
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { DateTime, EvcoId, EvseId, PartnerIdentifier, Uid, isRecord, response } from './common.js';
import {
  Country, Currency, Language, OneOf, OptNull, PartyCode, lenientCountry, lenientIdString, lenientLanguage, lenientPartyCode, lenientUid,
} from './user-common.js';

/** Both pages bound a fleet's lists at the same size. */
export const FLEET_LIST_MAX = 10000;

const FleetId = Type.String({ minLength: 1, maxLength: 100 });
const str = (maxLength: number) => Type.String({ maxLength });

export const cardStatuses = [
  'NEW_REQUEST', 'EVCO_REQUEST', 'REQUEST_RECEIVED', 'REQUEST_ACCEPTED', 'REQUEST_REJECTED',
  'OPERATIONAL', 'REQUEST_TO_BLOCK', 'REQUEST_TO_UNBLOCK', 'BLOCKED',
] as const;
export type CardStatus = (typeof cardStatuses)[number];

/** One card order; which optional fields are present depends on who sends it and its status. */
export const FleetCard = Type.Object({
  'fm-card-uid': FleetId,
  'fleet-member-uid': FleetId,
  'evco-id': Type.Optional(EvcoId),
  rfid: Type.Optional(Uid),
  'visual-id': Type.Optional(str(64)),
  issuer: Type.Optional(PartyCode),
  'card-status': OneOf(cardStatuses, 'card status'),
  'request-date': Type.Optional(DateTime),
  'activation-date': Type.Optional(DateTime),
  'expiration-date': Type.Optional(DateTime),
});
export type FleetCard = Static<typeof FleetCard>;

export const Reimbursement = Type.Object({
  'date-start': DateTime,
  'date-end': OptNull(DateTime),
  'allow-reimbursement': Type.Boolean(),
  // null or empty when reimbursement is not allowed
  'reimbursement-iban': OptNull(str(50)),
  'reimbursement-full-name': OptNull(str(50)),
  'kwh-reimbursement': Type.Number({ minimum: 0 }),
  'reimbursement-currency': Currency,
});

export const FleetMemberEvse = Type.Object({
  'fm-evse-uid': FleetId,
  'evse-id': EvseId,
  'reimbursement-fee': Type.Array(Reimbursement, { maxItems: 1000 }),
});

export const FleetMember = Type.Object({
  'fleet-member-uid': FleetId,
  'external-id': Type.Optional(str(100)),
  contact: Type.Object({
    'first-name': str(50),
    'last-name': str(50),
    title: Type.Optional(str(10)),
    'job-title': Type.Optional(str(20)),
    phone: Type.Optional(str(20)),
    email: Type.Optional(str(50)),
  }),
  address: Type.Object({
    'address-line-1': str(50),
    'address-line-2': Type.Optional(str(50)),
    'postal-code': Type.Optional(str(10)),
    city: str(50),
    'state-province': Type.Optional(str(20)),
    country: Country,
  }),
  'default-language': Language,
  'fleet-id': FleetId,
  'fleet-name': str(50),
  'fleet-cpo-id': PartyCode,
  'fleet-reference-id': Type.Optional(str(100)),
  evses: Type.Optional(Type.Array(FleetMemberEvse, { maxItems: 1000 })),
});
export type FleetMember = Static<typeof FleetMember>;

/** Applies `fix` to `obj[key]` when the key is present (never creates a key). */
function fixKey(obj: Record<string, any>, key: string, fix: (v: unknown) => unknown): void {
  if (obj[key] !== undefined) obj[key] = fix(obj[key]);
}

function normalizeCard(card: unknown): void {
  if (!isRecord(card)) return;
  // The page's example says `requested-date`; its field list says `request-date`.
  if (card['request-date'] === undefined && card['requested-date'] !== undefined) {
    card['request-date'] = card['requested-date'];
    delete card['requested-date'];
  }
  fixKey(card, 'fm-card-uid', lenientIdString);
  fixKey(card, 'fleet-member-uid', lenientIdString);
  fixKey(card, 'rfid', lenientUid);
  // The example writes the issuer as `DE*8PS`; the field list asks for the 5-character code.
  fixKey(card, 'issuer', lenientPartyCode);
}

function normalizeMember(member: unknown): void {
  if (!isRecord(member)) return;
  fixKey(member, 'fleet-member-uid', lenientIdString);
  fixKey(member, 'default-language', lenientLanguage);
  fixKey(member, 'fleet-cpo-id', lenientPartyCode);
  if (isRecord(member.address)) fixKey(member.address, 'country', lenientCountry);
  if (Array.isArray(member.evses)) {
    for (const evse of member.evses) if (isRecord(evse)) fixKey(evse, 'fm-evse-uid', lenientIdString);
  }
}

export const fleetPostCards = defineCall({
  name: 'fleet-post-cards',
  roles: ['fleet'],
  request: Type.Object({
    'fleet-cards': Type.Array(FleetCard, { maxItems: FLEET_LIST_MAX }),
    'partner-identifier': PartnerIdentifier,
  }),
  response: response({ 'fleet-cards': Type.Optional(Type.Object({ processed: Type.Integer({ minimum: 0 }) })) }),
  normalizeRequest: (p) => {
    if (isRecord(p) && Array.isArray(p['fleet-cards'])) p['fleet-cards'].forEach(normalizeCard);
    return p;
  },
});

export const fleetPostMembers = defineCall({
  name: 'fleet-post-members',
  roles: ['fleet'],
  request: Type.Object({
    // Listed by the page, left out by its example: the API key already names the fleet, so it
    // is optional here and checked against the key when present.
    'partner-identifier': Type.Optional(PartnerIdentifier),
    members: Type.Array(FleetMember, { maxItems: FLEET_LIST_MAX }),
  }),
  response: response(),
  normalizeRequest: (p) => {
    if (isRecord(p) && Array.isArray(p.members)) p.members.forEach(normalizeMember);
    return p;
  },
});

export const fleetCalls = {
  'fleet-post-cards': fleetPostCards,
  'fleet-post-members': fleetPostMembers,
} as const;
