/** Session, RFID, reservation, tariff, company and api calls: bad inputs, lenient readings, roles. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callDefinition, parseRequest, parseResponse, type CallName } from '../parse.js';
import { OioiError } from '../errors.js';
import { rfidPost } from './rfid.js';
import { rejects230 } from './test-support/rejects.js';

const rejects = rejects230;
const req = (call: string, payload: unknown) => () => parseRequest({ [call]: payload }).payload as any;
const res = (call: CallName, body: Record<string, unknown>, code = 0) => () => parseResponse(call, { result: { code, message: '' }, ...body }) as any;

const UID_MSG = 'not a valid RFID UID (8, 14 or 20 hex characters)';
const evco = { 'identifier-type': 'evco-id', identifier: 'DE*8PS*123456*7' };
const cdr = {
  user: { 'identifier-type': 'rfid', identifier: '12345678' },
  'session-id': 's-1',
  'connector-id': 'DE*8PS*E1',
  'session-interval': { start: '2024-01-01T10:00:00Z' },
  'partner-identifier': 'cpo-partner-identifier-0001',
};

describe('session-post', () => {
  const bad: [string, any, string | RegExp][] = [
    ['a hub connector id (a CDR names the EVSE)', { ...cdr, 'connector-id': '1356' }, 'session-post.connector-id: not a valid EVSE ID'],
    ['a non-hex RFID identifier', { ...cdr, user: { 'identifier-type': 'rfid', identifier: 'zz' } }, `session-post.user.identifier: ${UID_MSG}`],
    ['a bad EVCO ID identifier', { ...cdr, user: { 'identifier-type': 'evco-id', identifier: 'nope' } }, 'session-post.user.identifier: not a valid EVCO ID'],
    ['a missing user', { ...cdr, user: undefined }, 'session-post.user: is required'],
    ['an empty session id', { ...cdr, 'session-id': '' }, 'session-post.session-id: not a valid session id (1 to 255 characters)'],
    ['a start that is no date-time', { ...cdr, 'session-interval': { start: 'yesterday' } }, 'session-post.session-interval.start: not an RFC 3339 date-time'],
    ['a charging interval without stop', { ...cdr, 'charging-interval': { start: '2024-01-01T10:00:00Z' } }, 'session-post.charging-interval.stop: is required'],
    ['negative energy', { ...cdr, 'energy-consumed': -1 }, /^session-post\.energy-consumed: /],
    ['a lower-case currency', { ...cdr, 'calculated-cost': { amount: 1, currency: 'eur' } }, 'session-post.calculated-cost.currency: not an ISO 4217 currency code'],
    ['a missing partner identifier', { ...cdr, 'partner-identifier': undefined }, 'session-post.partner-identifier: is required'],
  ];
  for (const [what, payload, message] of bad) {
    it(`should reject ${what}`, () => rejects(req('session-post', JSON.parse(JSON.stringify(payload))), message));
  }
  it('should read a short lower-case RFID identifier', () => {
    assert.equal(req('session-post', { ...cdr, user: { 'identifier-type': 'rfid', identifier: 'abc123' } })().user.identifier, '00ABC123');
  });
  it('should leave a username identifier as sent', () => {
    assert.equal(req('session-post', { ...cdr, user: { 'identifier-type': 'username', identifier: 'abc' } })().user.identifier, 'abc');
  });
  it('should accept a null reason and unknown fields in the response', () => {
    assert.equal(res('session-post', { reason: null, extra: 1 })().reason, null);
  });
});

describe('session-start and session-stop', () => {
  for (const call of ['session-start', 'session-stop']) {
    it(`${call} should turn a numeric connector id into its string`, () => {
      assert.equal(req(call, { user: evco, 'connector-id': 1356 })()['connector-id'], '1356');
    });
    it(`${call} should accept an EVSE ID or a hub id as string`, () => {
      assert.equal(req(call, { user: evco, 'connector-id': 'DE*8PS*E1' })()['connector-id'], 'DE*8PS*E1');
      assert.equal(req(call, { user: evco, 'connector-id': '1356' })()['connector-id'], '1356');
    });
    for (const bad of ['abc', -1, 1.5, null, '', '12a']) {
      it(`${call} should reject connector id ${JSON.stringify(bad)}`, () => {
        rejects(req(call, { user: evco, 'connector-id': bad }), `${call}.connector-id: not a valid EVSE ID or hub connector id`);
      });
    }
    it(`${call} should reject a bad EVCO ID`, () => {
      rejects(req(call, { user: { 'identifier-type': 'evco-id', identifier: 'x' }, 'connector-id': '1' }), `${call}.user.identifier: not a valid EVCO ID`);
    });
  }
  it('should read session-id and is-stoppable beside result as the nested form', () => {
    const r = res('session-start', { 'session-id': 'abc', 'is-stoppable': true })();
    assert.deepEqual(r['session-start'], { 'session-id': 'abc', 'is-stoppable': true });
    assert.equal('session-id' in r, false);
  });
  it('should answer 230 for a garbage session-start payload', () => {
    rejects(res('session-start', { 'session-start': 'x', 'session-id': 'a' }), /^session-start response\.session-start: /);
  });
  it('should reject an empty session id in session-stop', () => {
    rejects(req('session-stop', { user: evco, 'connector-id': '1', 'session-id': '' }), 'session-stop.session-id: not a valid session id (1 to 255 characters)');
  });
});

describe('rfid-verify and rfid-post', () => {
  const uids: [unknown, string][] = [['abcdef12', 'ABCDEF12'], ['a', '0000000A'], ['123456789', '00000123456789'], ['04a2b3c4d5e6f7', '04A2B3C4D5E6F7']];
  for (const [sent, read] of uids) {
    it(`should read UID ${JSON.stringify(sent)} as ${read}`, () => assert.equal(req('rfid-verify', { rfid: sent })().rfid, read));
  }
  for (const bad of ['xyz', '0'.repeat(21), '', 12345678, null]) {
    it(`should reject UID ${JSON.stringify(bad)}`, () => rejects(req('rfid-verify', { rfid: bad }), `rfid-verify.rfid: ${UID_MSG}`));
  }
  it('should reject a bad EVCO ID in the verify response', () => {
    rejects(res('rfid-verify', { 'evco-id': 'nope' }), 'rfid-verify response.evco-id: not a valid EVCO ID');
  });
  it('should accept a verify success without EVCO ID', () => assert.equal(res('rfid-verify', {})().result.code, 0));

  it('should normalize every UID of a whitelist and name the bad one', () => {
    assert.deepEqual(req('rfid-post', { rfids: ['abc', '12345678'], 'partner-identifier': 'p' })().rfids, ['00000ABC', '12345678']);
    rejects(req('rfid-post', { rfids: ['12345678', 'ABCDEF12', 'not-hex'], 'partner-identifier': 'p' }), `rfid-post.rfids[2]: ${UID_MSG}`);
    rejects(req('rfid-post', { rfids: 'x', 'partner-identifier': 'p' }), /^rfid-post\.rfids: /);
  });
  it('should bound a whitelist at one million UIDs', () => {
    assert.equal((rfidPost.request.properties.rfids as { maxItems?: number }).maxItems, 1_000_000);
  });
  it('should read processed beside result as the nested form', () => {
    assert.deepEqual(res('rfid-post', { processed: 3 })().rfid, { processed: 3 });
  });
});

describe('reservations', () => {
  const start = { 'connector-id': 'DE*8PS*E1', identifier: [{ 'evco-id': 'DE*8PS*156456730*9', rfid: 'abcdef12' }] };
  it('should read a numeric connector id and lower-case UIDs', () => {
    const p = req('reservation-start', { ...start, 'connector-id': 77 })();
    assert.equal(p['connector-id'], '77');
    assert.equal(p.identifier[0].rfid, 'ABCDEF12');
  });
  it('should name a bad EVCO ID by its index', () => {
    rejects(req('reservation-start', { ...start, identifier: [{ 'evco-id': 'DE*8PS*156456730*9' }, { 'evco-id': 'x' }] }), 'reservation-start.identifier[1].evco-id: not a valid EVCO ID');
  });
  it('should reject an empty identifier list', () => rejects(req('reservation-start', { ...start, identifier: [] }), /^reservation-start\.identifier: /));
  it('should require the window end on success only', () => {
    rejects(res('reservation-start', {}), 'reservation-start response.reservation-start: is required');
    assert.equal(res('reservation-start', {}, 194)().result.code, 194);
    rejects(res('reservation-start', { 'reservation-start': { end: 'soon' } }), 'reservation-start response.reservation-start.end: not an RFC 3339 date-time');
  });
  it('should check reservation-stop identifiers by their type', () => {
    assert.equal(req('reservation-stop', { 'identifier-type': 'rfid', identifier: 'abc' })().identifier, '00000ABC');
    rejects(req('reservation-stop', { 'identifier-type': 'evco-id', identifier: 'x' }), 'reservation-stop.identifier: not a valid EVCO ID');
    rejects(req('reservation-stop', { 'identifier-type': 'rfid', identifier: 'xyz' }), `reservation-stop.identifier: ${UID_MSG}`);
    rejects(req('reservation-stop', { 'identifier-type': 'username', identifier: 'x' }), 'reservation-stop.identifier-type: not an identifier type (evco-id, rfid)');
  });
  it('should read an optional reservation-stop connector id like session-stop', () => {
    assert.equal(req('reservation-stop', { 'identifier-type': 'rfid', identifier: '12345678', 'connector-id': 5 })()['connector-id'], '5');
  });
});

describe('tariffs, company images, api version', () => {
  it('should reject a tariff price component of an unknown dimension', () => {
    const tariff = { currency: 'EUR', elements: [{ price_components: [{ type: 'KWH', price: 1, step_size: 1 }] }], last_updated: '2018-07-09T11:13:56Z' };
    rejects(res('tariffs-get-by-station-ids', { stations: [{ id: 1, 'is-free-charge': false, connectors: [{ id: 2, tariff }] }] }),
      /^tariffs-get-by-station-ids response\.stations\[0\]\.connectors\[0\]\.tariff\.elements\[0\]\.price_components\[0\]\.type: not a tariff dimension/);
  });
  it('should reject a company id as string', () => rejects(req('company-get-images', { 'company-id': '123' }), 'company-get-images.company-id: not a hub id (a non-negative integer)'));
  it('should require company and urls on success', () => rejects(res('company-get-images', { company: 'ACME' }), 'company-get-images response.urls: is required'));
  it('should accept an empty or extended api-minimum-version-number request', () => {
    assert.deepEqual(req('api-minimum-version-number', {})(), {});
    assert.deepEqual(req('api-minimum-version-number', { client: 'x' })(), { client: 'x' });
  });
  it('should reject a minimum version that is no version number', () => {
    rejects(res('api-minimum-version-number', { 'api-minimum-version-number': { 'minimum-version': 'latest' } }), 'api-minimum-version-number response.api-minimum-version-number.minimum-version: not a version number (like 4.0.0)');
  });
});

describe('core call definitions', () => {
  const roles: Record<string, readonly string[] | '*'> = {
    'station-post': ['cpo'], 'session-post': ['cpo'], 'rfid-verify': ['cpo'],
    'rfid-post': ['emp', 'oem'], 'session-start': ['emp', 'oem'], 'session-stop': ['emp', 'oem'],
    'reservation-start': ['emp', 'oem'], 'reservation-stop': ['emp', 'oem'],
    'station-get-surface': ['emp', 'oem'], 'station-get-by-ids': ['emp', 'oem'], 'station-get-usage': ['emp', 'oem'],
    'tariffs-get-by-station-ids': ['emp', 'oem'], 'company-get-images': ['emp', 'oem'], 'api-minimum-version-number': '*',
  };
  for (const [call, expected] of Object.entries(roles)) {
    it(`should let ${JSON.stringify(expected)} send ${call}`, () => assert.deepEqual(callDefinition(call)?.roles, expected));
  }

  it('should never forbid unknown fields', () => {
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      assert.notEqual((node as { additionalProperties?: unknown }).additionalProperties, false, path);
      for (const [k, v] of Object.entries(node)) walk(v, `${path}/${k}`);
    };
    for (const call of Object.keys(roles)) {
      walk(callDefinition(call)!.request, `${call}/request`);
      walk(callDefinition(call)!.response, `${call}/response`);
    }
  });

  it('should answer garbage with 230, never a TypeError', () => {
    const junk = [null, 0, -1, 'x', '', true, [], [null], [1, 'a'], {}, { a: null }];
    for (const call of Object.keys(roles)) {
      const def = callDefinition(call)!;
      const keys = Object.keys((def.request as { properties: object }).properties);
      const resKeys = Object.keys((def.response as { properties: object }).properties);
      for (const j of junk) {
        for (const k of keys) {
          try { parseRequest({ [call]: { [k]: j } }); } catch (e) { assert.ok(e instanceof OioiError && e.code === 230, `${call}.${k} = ${JSON.stringify(j)}: ${String(e)}`); }
        }
        for (const k of resKeys) {
          try { parseResponse(call as CallName, { result: { code: 0, message: '' }, [k]: j }); } catch (e) { assert.ok(e instanceof OioiError && e.code === 230, `${call} response ${k} = ${JSON.stringify(j)}: ${String(e)}`); }
        }
      }
    }
  });
});
