/** The user-*, adyen-* and vehicle-get-all schemas: what they reject, and what they read leniently. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callDefinition, parseRequest, parseResponse, type CallName } from '../parse.js';
import { OioiError } from '../errors.js';
import { userAccountCalls } from './user-account.js';
import { userRfidCalls } from './user-rfid.js';
import { userPaymentCalls } from './user-payment.js';
import { userSubscriptionCalls } from './user-subscription.js';
import { userHistoryCalls } from './user-history.js';
import { vehicleCalls } from './vehicle.js';

const user = { 'identifier-type': 'username', identifier: 'john', token: 'b3853b6d910849f3b4392555b8acb984' };
const ok = { code: 0, message: 'Success.' };

const plan = {
  id: 2, 'localized-names': { en: 'Name' }, 'localized-descriptions': { en: 'Description' }, duration: 12,
  'valid-from': '2018-05-18T00:00:00+02:00', 'monthly-price': '33.00', currency: 'EUR',
  'ac-component': { 'free-minutes': 30, 'parking-time-price': '5.00', 'parking-time-step-size': 1, 'discount-percent': 10 },
  'dc-component': { 'free-minutes': 10, 'parking-time-price': '5.00', 'parking-time-step-size': 1, 'discount-percent': 5 },
};
const station = { id: 1, name: 'S', latitude: 52.5, longitude: 13.3, 'dynamic-status-summary': 'Available', 'owner-type': null };
const method = { reference: '1', method: 'Credit Card', created: '2017-12-15T17:41:18+02:00' };
const adyen = {
  amount: { currency: 'EUR', value: 1 }, channel: 'web', countryCode: 'DE', merchantAccount: 'PlugSurfing', reference: 'r',
  returnUrl: '', shopperLocale: 'en_GB', shopperReference: 'a@b.c', token: 't',
};
const details = {
  'first-name': null, 'last-name': null, address: null, 'billing-name': null, 'billing-address': null, locale: 'de',
  vat: null, 'social-security-number': null, 'evco-id': null, phone: null, 'company-name': null,
};

const { phone: _phone, ...withoutPhone } = details;

function rejects(run: () => unknown, message: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof OioiError);
    assert.equal(e.code, 230);
    assert.equal(e.message, message);
    return true;
  });
}

describe('user calls: requests that must be rejected (230)', () => {
  const long = (n: number) => 'x'.repeat(n);
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['user-register', { username: 'u', password: 'p' }, 'user-register.email: is required'],
    ['user-register', { username: 'u', email: 'no-at-sign', password: 'p' }, 'user-register.email: not an e-mail address'],
    ['user-register', { username: 'u', email: 'a@b.c', password: '' }, 'user-register.password: must not have fewer than 1 characters'],
    ['user-register', { username: 'u', email: 'a@b.c', password: 'p', language: 'eng' }, 'user-register.language: not an ISO 639-1 language code (two lower-case letters)'],
    ['user-verify', { username: 'u', password: 'p', 'is-token': 'false' }, 'user-verify.is-token: must be boolean'],
    ['user-reset', { identifier: long(256) }, 'user-reset.identifier: must not have more than 255 characters'],
    ['user-change-password', { username: 'u', 'current-password': 'a' }, 'user-change-password.new-password: is required'],
    ['user-logout', { user: { ...user, 'identifier-type': 'email' } }, 'user-logout.user.identifier-type: not a user identifier type (evco-id, rfid, username, token)'],
    ['user-logout', { user: { ...user, token: long(1025) } }, 'user-logout.user.token: must not have more than 1024 characters'],
    ['user-get-details', { user: { 'identifier-type': 'rfid', identifier: 'XYZ' } }, 'user-get-details.user.identifier: not a valid RFID UID (8, 14 or 20 hex characters)'],
    ['user-get-details', { user: { 'identifier-type': 'evco-id', identifier: 'nope' } }, 'user-get-details.user.identifier: not a valid EVCO ID'],
    ['user-post-details', { user }, 'user-post-details.user.details: is required'],
    ['user-post-details', { user: { ...user, details: { address: { city: 'Berlin' } } } }, 'user-post-details.user.details.address.country: is required'],
    ['user-post-details', { user: { ...user, details: { locale: 'deu' } } }, 'user-post-details.user.details.locale: not an ISO 639-1 language code (two lower-case letters)'],
    ['user-add-rfid', { user, rfid: 'GHIJKLMN' }, 'user-add-rfid.rfid: not a valid RFID UID (8, 14 or 20 hex characters)'],
    ['user-add-rfid', { user, rfid: '0'.repeat(21) }, 'user-add-rfid.rfid: not a valid RFID UID (8, 14 or 20 hex characters)'],
    ['user-block-rfid', { rfid: '12345678' }, 'user-block-rfid.user: is required'],
    ['user-unblock-rfid', { user, rfid: 12345678 }, 'user-unblock-rfid.rfid: not a valid RFID UID (8, 14 or 20 hex characters)'],
    ['user-charging-key-activate', { user, 'evco-id': 'DE*8PS' }, 'user-charging-key-activate.evco-id: not a valid EVCO ID'],
    ['user-charging-key-deactivate', { user }, 'user-charging-key-deactivate.evco-id: is required'],
    ['user-add-payment', { user, 'payment-type': 'cash' }, 'user-add-payment.payment-type: not a payment type (paypal, directEbanking, ideal)'],
    ['user-add-creditcard', { user, 'encrypted-data': '' }, 'user-add-creditcard.encrypted-data: must not have fewer than 1 characters'],
    ['user-get-bills', { user, 'date-interval': { start: 'yesterday', end: '2015-03-06T00:00:00+01:00' } }, 'user-get-bills.date-interval.start: not an RFC 3339 date-time'],
    ['adyen-setup', { amount: { currency: 'EUR', value: 1 } }, 'adyen-setup.channel: is required'],
    ['adyen-setup', { ...adyen, amount: { currency: 'euro', value: 1 } }, 'adyen-setup.amount.currency: not an ISO 4217 currency code'],
    ['adyen-verify', {}, 'adyen-verify.payload: is required'],
    ['user-manage-subscription', { user, id: '1' }, 'user-manage-subscription.id: must be integer'],
    ['user-get-recent-stations', { user, limit: 0 }, 'user-get-recent-stations.limit: must be >= 1'],
    ['user-get-recent-sessions', {}, 'user-get-recent-sessions.user: is required'],
  ];
  for (const [call, payload, message] of cases) {
    it(`should reject ${call} with "${message}"`, () => rejects(() => parseRequest({ [call]: payload }), message));
  }

  it('should reject a payload that is not an object', () => {
    rejects(() => parseRequest({ 'user-logout': 'john' }), 'user-logout: must be object');
    rejects(() => parseRequest({ 'vehicle-get-all': [] }), 'vehicle-get-all: must be object');
  });
});

describe('user calls: responses that must be rejected (230)', () => {
  const cases: Array<[CallName, Record<string, unknown>, string]> = [
    ['user-register', { user: { 'evco-id': 'DE*8PS*123456*7' }, result: ok }, 'user-register response.user.token: is required'],
    ['user-verify', { user: { token: 't', 'evco-id': 'x' }, result: ok }, 'user-verify response.user.evco-id: not a valid EVCO ID'],
    ['user-get-details', { user: { ...details, address: { country: 'Atlantis' } }, result: ok }, 'user-get-details response.user.address.country: not an ISO 3166-1 alpha-2 country code'],
    ['user-get-details', { user: withoutPhone, result: ok }, 'user-get-details response.user.phone: is required'],
    ['user-get-charging-keys', { user: { 'charging-keys': [{ uid: 'XYZ', 'evco-id': 'DE*8PS*123456*7' }] }, result: ok }, 'user-get-charging-keys response.user.charging-keys[0].uid: not a valid RFID UID (8, 14 or 20 hex characters)'],
    ['user-add-payment', { 'user-add-payment': { url: 'ftp://example.com' }, result: ok }, 'user-add-payment response.user-add-payment.url: not an http(s) URL'],
    ['user-get-payment-methods', { user: { 'payment-methods': [{ ...method, valid: '13/2021' }] }, result: ok }, 'user-get-payment-methods response.user.payment-methods[0].valid: not a card expiry (MM/YYYY)'],
    ['user-get-payment-methods', { user: { 'payment-methods': [{ ...method, method: 'Cash' }] }, result: ok }, 'user-get-payment-methods response.user.payment-methods[0].method: not a payment method (Bank, Credit Card, PayPal, Invoice, SEPA)'],
    ['user-subscription-plans-get', { 'subscription-plans': [{ ...plan, duration: 7 }], result: ok }, 'user-subscription-plans-get response.subscription-plans[0].duration: not a plan duration (6 or 12 months)'],
    ['user-subscription-plans-get', { 'subscription-plans': [{ ...plan, 'monthly-price': 33 }], result: ok }, 'user-subscription-plans-get response.subscription-plans[0].monthly-price: not a decimal amount (e.g. "1.23")'],
    ['user-subscription-get-active', { subscription: [{}, {}], result: ok }, 'user-subscription-get-active response.subscription: must be object'],
    ['user-get-recent-stations', { user: { stations: [{ ...station, 'dynamic-status-summary': 'Busy' }] }, result: ok }, 'user-get-recent-stations response.user.stations[0].dynamic-status-summary: not a status summary (Available, Occupied, Offline or null)'],
    ['user-get-recent-sessions', { user: { sessions: [{ 'session-interval': {}, 'charging-interval': {}, cost: '1.00' }] }, result: ok }, 'user-get-recent-sessions response.user.sessions[0].currency: is required'],
    ['vehicle-get-all', { 'vehicle-get-all': { vehicles: [{ id: 1, brand: 'B', model: 'M', 'max-speed': 3.7, 'connector-types': ['Plug'] }] }, result: ok }, 'vehicle-get-all response.vehicle-get-all.vehicles[0].connector-types[0]: not a known connector type (Type2, Combo, Chademo, Schuko, Type3, CeeBlue, 3PinSquare, Type1, CeeRed, Cee2Poles, Tesla, Scame, Nema5, CeePlus, T13, T15, T23, Marechal, TypeE)'],
  ];
  for (const [call, body, message] of cases) {
    it(`should reject a ${call} answer with "${message}"`, () => rejects(() => parseResponse(call, body), message));
  }
});

describe('user calls: lenient readings', () => {
  it('should upper-case and zero-pad a short lower-case UID', () => {
    const { payload } = parseRequest({ 'user-add-rfid': { user, rfid: 'abcdef' } }) as any;
    assert.equal(payload.rfid, '00ABCDEF');
  });

  it('should normalize a UID used as the user identifier', () => {
    const { payload } = parseRequest({ 'user-logout': { user: { 'identifier-type': 'rfid', identifier: 'a1b2c3d4e5f6a' } } }) as any;
    assert.equal(payload.user.identifier, '0A1B2C3D4E5F6A');
  });

  it('should lower-case a language code', () => {
    const { payload } = parseRequest({ 'user-register': { username: 'u', email: 'a@b.c', password: 'p', language: 'EN' } }) as any;
    assert.equal(payload.language, 'en');
  });

  it('should move "details" beside "user" into "user", but never over details already there', () => {
    const moved = parseRequest({ 'user-post-details': { user, details: { phone: '1' } } }).payload as any;
    assert.deepEqual(moved.user.details, { phone: '1' });
    const kept = parseRequest({ 'user-post-details': { user: { ...user, details: { phone: '2' } }, details: { phone: '1' } } }).payload as any;
    assert.deepEqual(kept.user.details, { phone: '2' });
  });

  it('should read a numeric street number as text and country names or lower case as ISO codes', () => {
    const address = { 'street-number': 12, country: 'de' };
    const billing = { country: 'Netherlands' };
    const p = parseRequest({ 'user-post-details': { user: { ...user, details: { address, 'billing-address': billing } } } }).payload as any;
    assert.deepEqual(p.user.details.address, { 'street-number': '12', country: 'DE' });
    assert.equal(p.user.details['billing-address'].country, 'NL');
    const r = parseResponse('user-get-details', { user: { ...details, address: { country: 'United Kingdom' } }, result: ok });
    assert.equal(r.user!.address!.country, 'GB');
  });

  it('should read the unblock answer\'s success flag as its result', () => {
    assert.equal(parseResponse('user-unblock-rfid', { 'user-unblock-rfid': { success: true } }).result.code, 0);
    assert.equal(parseResponse('user-unblock-rfid', { 'user-unblock-rfid': { success: false } }).result.code, 100);
    assert.equal(parseResponse('user-unblock-rfid', { 'user-unblock-rfid': { success: false }, result: { code: 191, message: 'x' } }).result.code, 191);
  });

  it('should normalize UIDs in the charging keys answer', () => {
    const r = parseResponse('user-get-charging-keys', { user: { 'charging-keys': [{ uid: 'abcdabcd', 'evco-id': 'DE*8PS*123456*7' }] }, result: ok });
    assert.equal(r.user!['charging-keys'][0]!.uid, 'ABCDABCD');
  });

  it('should zero-pad a one-digit expiry month and accept "?" for unknown values', () => {
    const r = parseResponse('user-get-payment-methods', { user: { 'payment-methods': [{ ...method, valid: '3/2021' }, { reference: '?', method: '?', created: '?' }] }, result: ok });
    assert.equal(r.user!['payment-methods'][0]!.valid, '03/2021');
  });

  it('should read the active subscription from a one-element array, and an empty array as none', () => {
    const one = parseResponse('user-subscription-get-active', { subscription: [{ id: 1, 'subscribed-at': '2018-06-01T13:24:27+02:00', 'expired-at': '2020-10-10T00:00:00+02:00', 'subscription-plan': { ...plan, 'valid-to': '2018-12-15T00:00:00+01:00' } }], result: ok });
    assert.equal((one.subscription as any).id, 1);
    assert.equal(parseResponse('user-subscription-get-active', { subscription: [], result: ok }).subscription, null);
  });

  it('should flatten a station list nested in a second array', () => {
    const r = parseResponse('user-get-recent-stations', { user: { stations: [[station, { ...station, id: 2 }]] }, result: ok });
    assert.deepEqual(r.user!.stations.map((s) => s.id), [1, 2]);
  });

  it('should read a refusal reason nested under the call name', () => {
    const r = parseResponse('user-post-details', { 'user-post-details': { reason: 'VAT' }, result: ok });
    assert.equal(r.reason, 'VAT');
  });

  it('should ignore unknown extra fields', () => {
    assert.doesNotThrow(() => parseRequest({ 'user-logout': { user: { ...user, extra: 1 }, extra: true } }));
    assert.doesNotThrow(() => parseResponse('user-register', { user: { token: 't', 'evco-id': 'DE*8PS*123456*7', extra: 1 }, result: ok, extra: 2 }));
  });

  it('should accept an error answer that carries only result', () => {
    assert.equal(parseResponse('user-get-details', { result: { code: 145, message: 'token not valid' } }).result.code, 145);
  });
});

describe('user calls: registry', () => {
  const families = { ...userAccountCalls, ...userRfidCalls, ...userPaymentCalls, ...userSubscriptionCalls, ...userHistoryCalls, ...vehicleCalls };

  it('should let emp and oem partners, and only them, send every user, adyen and vehicle call', () => {
    assert.equal(Object.keys(families).length, 25);
    for (const [name, def] of Object.entries(families)) {
      assert.equal(def.name, name);
      assert.deepEqual(def.roles, ['emp', 'oem'], name);
      assert.equal(callDefinition(name), def, name);
      assert.equal(def.hasPartnerIdentifier, false, name);
    }
  });

  it('should never throw from a lenient reader, whatever it is given', () => {
    const garbage: unknown[] = [null, 0, 'x', [], {}, { user: 5 }, { user: [] }, { user: { 'identifier-type': 'rfid', identifier: 5 } }, { details: null, user: {} },
      { user: { 'charging-keys': [null, 1, { uid: 5 }] } }, { user: { stations: [null, [null]], 'payment-methods': [1, { valid: 3 }] } },
      { subscription: [[]] }, { 'user-unblock-rfid': { success: 'yes' } }, { 'user-post-details': 5 }];
    for (const def of Object.values(families)) {
      for (const g of garbage) {
        assert.doesNotThrow(() => def.normalizeRequest?.(structuredClone(g)), def.name);
        assert.doesNotThrow(() => def.normalizeResponse?.(structuredClone(g)), def.name);
      }
    }
  });
});
