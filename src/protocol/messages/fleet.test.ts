/** The fleet-post-cards and fleet-post-members schemas: what they reject, and what they read leniently. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callDefinition, parseRequest, parseResponse } from '../parse.js';
import { OioiError } from '../errors.js';
import { FLEET_LIST_MAX, cardStatuses, fleetCalls } from './fleet.js';

const pid = 'x9iujs7y5kslISuqw';

/** A card order as a fleet sends it; override what a case needs. */
function aCard(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'fm-card-uid': 'c-1', 'fleet-member-uid': 'm-1', 'card-status': 'NEW_REQUEST', ...over };
}

/** A fleet member with one EVSE and one reimbursement period. */
function aMember(over: Record<string, unknown> = {}): Record<string, any> {
  return {
    'fleet-member-uid': 'm-1',
    contact: { 'first-name': 'Jack', 'last-name': 'Daniels' },
    address: { 'address-line-1': 'Torgauer Str. 12', city: 'Berlin', country: 'DE' },
    'default-language': 'en',
    'fleet-id': 'Fleet 1',
    'fleet-name': 'Fleet one',
    'fleet-cpo-id': 'NLALL',
    evses: [{
      'fm-evse-uid': 'e-1',
      'evse-id': 'NL*ALL*E0008A3',
      'reimbursement-fee': [{
        'date-start': '2014-06-23T18:32:49+02:00', 'allow-reimbursement': true, 'kwh-reimbursement': 0.31, 'reimbursement-currency': 'EUR',
      }],
    }],
    ...over,
  };
}

const cards = (...list: unknown[]) => ({ 'fleet-post-cards': { 'fleet-cards': list, 'partner-identifier': pid } });
const members = (...list: unknown[]) => ({ 'fleet-post-members': { members: list, 'partner-identifier': pid } });

function rejects(body: unknown, message: string): void {
  assert.throws(() => parseRequest(body), (e: unknown) => {
    assert.ok(e instanceof OioiError);
    assert.equal(e.code, 230);
    assert.equal(e.message, message);
    return true;
  });
}

describe('fleet-post-cards: requests that must be rejected (230)', () => {
  const cases: Array<[string, unknown, string]> = [
    ['no partner identifier', { 'fleet-post-cards': { 'fleet-cards': [aCard()] } }, 'fleet-post-cards.partner-identifier: is required'],
    ['no card list', { 'fleet-post-cards': { 'partner-identifier': pid } }, 'fleet-post-cards.fleet-cards: is required'],
    ['an unknown card status', cards(aCard({ 'card-status': 'LOST' })), `fleet-post-cards.fleet-cards[0].card-status: not a card status (${cardStatuses.join(', ')})`],
    ['a card without status', cards(aCard(), { 'fm-card-uid': 'c-2', 'fleet-member-uid': 'm-1' }), 'fleet-post-cards.fleet-cards[1].card-status: is required'],
    ['an empty card uid', cards(aCard({ 'fm-card-uid': '' })), 'fleet-post-cards.fleet-cards[0].fm-card-uid: must not have fewer than 1 characters'],
    ['a card uid over 100 characters', cards(aCard({ 'fm-card-uid': 'x'.repeat(101) })), 'fleet-post-cards.fleet-cards[0].fm-card-uid: must not have more than 100 characters'],
    ['a boolean member uid', cards(aCard({ 'fleet-member-uid': true })), 'fleet-post-cards.fleet-cards[0].fleet-member-uid: must be string'],
    ['a non-hex RFID', cards(aCard({ rfid: 'XYZ12345' })), 'fleet-post-cards.fleet-cards[0].rfid: not a valid RFID UID (8, 14 or 20 hex characters)'],
    ['a bad EVCO ID', cards(aCard({ 'evco-id': 'nope' })), 'fleet-post-cards.fleet-cards[0].evco-id: not a valid EVCO ID'],
    ['a short issuer', cards(aCard({ issuer: 'DE8' })), 'fleet-post-cards.fleet-cards[0].issuer: not a party code (country and 3-character party id, e.g. DE8PS)'],
    ['a bad request date', cards(aCard({ 'request-date': 'tomorrow' })), 'fleet-post-cards.fleet-cards[0].request-date: not an RFC 3339 date-time'],
    ['a bad alias date', cards(aCard({ 'requested-date': '2018-01-01' })), 'fleet-post-cards.fleet-cards[0].request-date: not an RFC 3339 date-time'],
    ['a visual id over 64 characters', cards(aCard({ 'visual-id': 'v'.repeat(65) })), 'fleet-post-cards.fleet-cards[0].visual-id: must not have more than 64 characters'],
    ['a card that is not an object', cards('card'), 'fleet-post-cards.fleet-cards[0]: must be object'],
  ];
  for (const [what, body, message] of cases) {
    it(`should reject ${what}`, () => rejects(body, message));
  }

  it(`should reject more than ${FLEET_LIST_MAX} cards`, () => {
    rejects(cards(...Array.from({ length: FLEET_LIST_MAX + 1 }, () => aCard())), `fleet-post-cards.fleet-cards: must not have more than ${FLEET_LIST_MAX} items`);
  });
});

describe('fleet-post-members: requests that must be rejected (230)', () => {
  const m = aMember();
  const cases: Array<[string, unknown, string]> = [
    ['no member list', { 'fleet-post-members': {} }, 'fleet-post-members.members: is required'],
    ['a first name over 50 characters', members(aMember({ contact: { ...m.contact, 'first-name': 'J'.repeat(51) } })), 'fleet-post-members.members[0].contact.first-name: must not have more than 50 characters'],
    ['a title over 10 characters', members(aMember({ contact: { ...m.contact, title: 'Professor Dr.' } })), 'fleet-post-members.members[0].contact.title: must not have more than 10 characters'],
    ['no city', members(aMember({ address: { 'address-line-1': 'a', country: 'DE' } })), 'fleet-post-members.members[0].address.city: is required'],
    ['a country that is no code', members(aMember({ address: { ...m.address, country: 'D' } })), 'fleet-post-members.members[0].address.country: not an ISO 3166-1 alpha-2 country code'],
    ['a language that is no code', members(aMember({ 'default-language': 'english' })), 'fleet-post-members.members[0].default-language: not an ISO 639-1 language code (two lower-case letters)'],
    ['a bad fleet operator id', members(aMember({ 'fleet-cpo-id': 'NL*AL' })), 'fleet-post-members.members[0].fleet-cpo-id: not a party code (country and 3-character party id, e.g. DE8PS)'],
    ['a bad EVSE ID', members(aMember({ evses: [{ ...m.evses[0], 'evse-id': 'bad' }] })), 'fleet-post-members.members[0].evses[0].evse-id: not a valid EVSE ID'],
    ['a bad reimbursement start', members(aMember({ evses: [{ ...m.evses[0], 'reimbursement-fee': [{ ...m.evses[0]['reimbursement-fee'][0], 'date-start': '23.06.2014' }] }] })), 'fleet-post-members.members[0].evses[0].reimbursement-fee[0].date-start: not an RFC 3339 date-time'],
    ['a negative kWh reimbursement', members(aMember({ evses: [{ ...m.evses[0], 'reimbursement-fee': [{ ...m.evses[0]['reimbursement-fee'][0], 'kwh-reimbursement': -1 }] }] })), 'fleet-post-members.members[0].evses[0].reimbursement-fee[0].kwh-reimbursement: must be >= 0'],
    ['a currency that is no code', members(aMember({ evses: [{ ...m.evses[0], 'reimbursement-fee': [{ ...m.evses[0]['reimbursement-fee'][0], 'reimbursement-currency': 'euro' }] }] })), 'fleet-post-members.members[0].evses[0].reimbursement-fee[0].reimbursement-currency: not an ISO 4217 currency code'],
    ['reimbursement allowed given as text', members(aMember({ evses: [{ ...m.evses[0], 'reimbursement-fee': [{ ...m.evses[0]['reimbursement-fee'][0], 'allow-reimbursement': 'yes' }] }] })), 'fleet-post-members.members[0].evses[0].reimbursement-fee[0].allow-reimbursement: must be boolean'],
  ];
  for (const [what, body, message] of cases) {
    it(`should reject ${what}`, () => rejects(body, message));
  }

  it(`should reject more than ${FLEET_LIST_MAX} members`, () => {
    rejects(members(...Array.from({ length: FLEET_LIST_MAX + 1 }, () => aMember())), `fleet-post-members.members: must not have more than ${FLEET_LIST_MAX} items`);
  });
});

describe('fleet calls: lenient readings', () => {
  it('should read "requested-date" as "request-date", and never over a "request-date" given too', () => {
    const alias = parseRequest(cards(aCard({ 'requested-date': '2018-01-01T10:00:00+00:00' }))).payload as any;
    assert.equal(alias['fleet-cards'][0]['request-date'], '2018-01-01T10:00:00+00:00');
    assert.equal('requested-date' in alias['fleet-cards'][0], false);
    const both = parseRequest(cards(aCard({ 'request-date': '2019-01-01T10:00:00Z', 'requested-date': '2018-01-01T10:00:00Z' }))).payload as any;
    assert.equal(both['fleet-cards'][0]['request-date'], '2019-01-01T10:00:00Z');
  });

  it('should read integer card, member and EVSE uids as their decimal text', () => {
    const c = parseRequest(cards(aCard({ 'fm-card-uid': 23, 'fleet-member-uid': 35 }))).payload as any;
    assert.deepEqual([c['fleet-cards'][0]['fm-card-uid'], c['fleet-cards'][0]['fleet-member-uid']], ['23', '35']);
    const m = parseRequest(members(aMember({ 'fleet-member-uid': 1234, evses: [{ ...aMember().evses[0], 'fm-evse-uid': 12345 }] }))).payload as any;
    assert.deepEqual([m.members[0]['fleet-member-uid'], m.members[0].evses[0]['fm-evse-uid']], ['1234', '12345']);
  });

  it('should accept UUIDs as fleet uids', () => {
    const uuid = '9c19a19a-b58c-414e-9c5a-82da2056e27e';
    assert.doesNotThrow(() => parseRequest(cards(aCard({ 'fm-card-uid': uuid, 'fleet-member-uid': uuid }))));
  });

  it('should upper-case and zero-pad a card RFID', () => {
    const c = parseRequest(cards(aCard({ rfid: '1111abc' }))).payload as any;
    assert.equal(c['fleet-cards'][0].rfid, '01111ABC');
  });

  it('should drop the separator from party codes and upper-case them', () => {
    const c = parseRequest(cards(aCard({ issuer: 'de-8ps' }))).payload as any;
    assert.equal(c['fleet-cards'][0].issuer, 'DE8PS');
    const m = parseRequest(members(aMember({ 'fleet-cpo-id': 'NL*ALL' }))).payload as any;
    assert.equal(m.members[0]['fleet-cpo-id'], 'NLALL');
  });

  it('should read country and language codes in either case', () => {
    const m = parseRequest(members(aMember({ address: { ...aMember().address, country: 'nl' }, 'default-language': 'EN' }))).payload as any;
    assert.equal(m.members[0].address.country, 'NL');
    assert.equal(m.members[0]['default-language'], 'en');
  });

  it('should accept members without partner-identifier (the API key names the fleet)', () => {
    assert.doesNotThrow(() => parseRequest({ 'fleet-post-members': { members: [aMember()] } }));
  });

  it('should never throw from a lenient reader, whatever it is given', () => {
    const garbage: unknown[] = [null, 1, 'x', [], {}, { 'fleet-cards': [null, 5, 'x', [], { rfid: 5, issuer: 7, 'fm-card-uid': Infinity }] },
      { members: [null, { evses: [null, 1, { 'fm-evse-uid': {} }], address: 'x' }, { address: { country: 5 } }] }];
    for (const def of Object.values(fleetCalls)) {
      for (const g of garbage) assert.doesNotThrow(() => def.normalizeRequest?.(structuredClone(g)), def.name);
    }
  });
});

describe('fleet calls: answers and registry', () => {
  it('should read the processed count and reject a negative one', () => {
    const ok = { code: 0, message: 'Success.' };
    assert.equal(parseResponse('fleet-post-cards', { 'fleet-cards': { processed: 2 }, result: ok })['fleet-cards']!.processed, 2);
    assert.throws(() => parseResponse('fleet-post-cards', { 'fleet-cards': { processed: -1 }, result: ok }),
      (e: unknown) => e instanceof OioiError && e.message === 'fleet-post-cards response.fleet-cards.processed: must be >= 0');
  });

  it('should let only fleet partners send the fleet calls, with the partner identifier checked', () => {
    for (const [name, def] of Object.entries(fleetCalls)) {
      assert.equal(callDefinition(name), def);
      assert.deepEqual(def.roles, ['fleet']);
      assert.equal(def.hasPartnerIdentifier, true);
    }
  });
});
