import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest, parseResponse } from '../parse.js';
import { rejects230 } from './test-support/rejects.js';
import { OioiError } from '../errors.js';

/** A valid station-post payload; `patch` edits a deep copy. */
function aStationPost(patch: (p: any) => void = () => {}): any {
  const p: any = {
    station: {
      id: 'st-1',
      name: 'Hof',
      latitude: 52.5,
      longitude: 13.4,
      address: { street: 'Torstr.', 'street-number': '1', city: 'Berlin', zip: '10119', country: 'DE' },
      contact: { phone: '+49 30 1' },
      'cpo-id': 'DE*8PS',
      'is-open-24': true,
      connectors: [
        { id: 'DE*8PS*E1', name: 'Type2', speed: 22 },
        { id: 'DE*8PS*E2', name: 'Combo', speed: 150 },
      ],
      deleted: false,
    },
    'partner-identifier': 'cpo-partner-identifier-0001',
  };
  patch(p);
  return { 'station-post': p };
}

function station(body: any): any {
  return (parseRequest(body).payload as any).station;
}

function rejects(body: unknown, message: string | RegExp, read: () => unknown = () => parseRequest(body)): void {
  rejects230(read, message);
}

describe('station-post', () => {
  it('should accept a complete station', () => {
    assert.equal(station(aStationPost()).connectors.length, 2);
  });

  const bad: [string, (p: any) => void, string | RegExp][] = [
    ['a connector id that is no EVSE ID', (p) => { p.station.connectors[1].id = 'XX'; }, 'station-post.station.connectors[1].id: not a valid EVSE ID'],
    ['a hub connector id as connector id', (p) => { p.station.connectors[0].id = '1356'; }, 'station-post.station.connectors[0].id: not a valid EVSE ID'],
    ['an unknown connector type', (p) => { p.station.connectors[0].name = 'Type9'; }, /^station-post\.station\.connectors\[0\]\.name: not a known connector type/],
    ['a negative speed', (p) => { p.station.connectors[0].speed = -1; }, /^station-post\.station\.connectors\[0\]\.speed: /],
    ['a speed as string', (p) => { p.station.connectors[0].speed = '22'; }, /^station-post\.station\.connectors\[0\]\.speed: /],
    ['no connectors', (p) => { p.station.connectors = []; }, /^station-post\.station\.connectors: /],
    ['more than 1000 connectors', (p) => { p.station.connectors = Array.from({ length: 1001 }, (_, i) => ({ id: `DE*8PS*E${i}`, name: 'Type2', speed: 11 })); }, /^station-post\.station\.connectors: /],
    ['a missing name', (p) => { delete p.station.name; }, 'station-post.station.name: is required'],
    ['an empty station id', (p) => { p.station.id = ''; }, 'station-post.station.id: not a valid station id (1 to 255 characters)'],
    ['a station id as number', (p) => { p.station.id = 7; }, 'station-post.station.id: not a valid station id (1 to 255 characters)'],
    ['a name longer than 255', (p) => { p.station.name = 'x'.repeat(256); }, /^station-post\.station\.name: /],
    ['a description longer than 4096', (p) => { p.station.description = 'x'.repeat(4097); }, /^station-post\.station\.description: /],
    ['a latitude out of range', (p) => { p.station.latitude = 91; }, /^station-post\.station\.latitude: /],
    ['a longitude as string', (p) => { p.station.longitude = '13.4'; }, /^station-post\.station\.longitude: /],
    ['a country name', (p) => { p.station.address.country = 'Germany'; }, 'station-post.station.address.country: not an ISO 3166-1 alpha-2 country code'],
    ['a missing city', (p) => { delete p.station.address.city; }, 'station-post.station.address.city: is required'],
    ['a street number as object', (p) => { p.station.address['street-number'] = {}; }, /^station-post\.station\.address\.street-number: /],
    ['a missing phone', (p) => { delete p.station.contact.phone; }, 'station-post.station.contact.phone: is required'],
    ['a bad cpo-id', (p) => { p.station['cpo-id'] = 'DE8'; }, 'station-post.station.cpo-id: not a valid CPO id (like DE*8PS)'],
    ['is-open-24 as string', (p) => { p.station['is-open-24'] = 'true'; }, /^station-post\.station\.is-open-24: /],
    ['an unknown weekday', (p) => { p.station['open-hour-notes'] = [{ times: ['07:30', '19:00'], days: ['Mo', 'Xx'] }]; }, /^station-post\.station\.open-hour-notes\[0\]\.days\[1\]: not a weekday/],
    ['a badly written time', (p) => { p.station['open-hour-notes'] = [{ times: ['7:30', '19:00'], days: ['Mo', 'Fr'] }]; }, 'station-post.station.open-hour-notes[0].times[0]: not a time of day (HH:MM)'],
    ['one time only', (p) => { p.station['open-hour-notes'] = [{ times: ['07:30'], days: ['Mo', 'Fr'] }]; }, /^station-post\.station\.open-hour-notes\[0\]\.times: /],
    ['notes as number', (p) => { p.station.notes = 5; }, /^station-post\.station\.notes: /],
    ['deleted as string', (p) => { p.station.deleted = 'yes'; }, /^station-post\.station\.deleted: /],
    ['a fractional floor level', (p) => { p.station['floor-level'] = 1.5; }, /^station-post\.station\.floor-level: /],
    ['a missing partner identifier', (p) => { delete p['partner-identifier']; }, 'station-post.partner-identifier: is required'],
    ['an empty partner identifier', (p) => { p['partner-identifier'] = ''; }, 'station-post.partner-identifier: not a valid partner identifier'],
    ['a null optional field', (p) => { p.station.contact.fax = null; }, /^station-post\.station\.contact\.fax: /],
  ];
  for (const [what, patch, message] of bad) {
    it(`should reject ${what} with 230 and its path`, () => rejects(aStationPost(patch), message));
  }

  const lenient: [string, (p: any) => void, (s: any) => void][] = [
    ['street-number given as number', (p) => { p.station.address['street-number'] = 12; }, (s) => assert.equal(s.address['street-number'], '12')],
    ['streetNumber for street-number', (p) => { delete p.station.address['street-number']; p.station.address.streetNumber = '5b'; }, (s) => {
      assert.equal(s.address['street-number'], '5b');
      assert.equal('streetNumber' in s.address, false);
    }],
    ['streetNumber as number', (p) => { delete p.station.address['street-number']; p.station.address.streetNumber = 7; }, (s) => assert.equal(s.address['street-number'], '7')],
    ['street-number winning over streetNumber', (p) => { p.station.address.streetNumber = '9'; }, (s) => assert.equal(s.address['street-number'], '1')],
    ['contact website for web', (p) => { p.station.contact.website = 'https://a.example'; }, (s) => {
      assert.equal(s.contact.web, 'https://a.example');
      assert.equal('website' in s.contact, false);
    }],
    ['web winning over website', (p) => { p.station.contact.web = 'https://web.example'; p.station.contact.website = 'https://b.example'; }, (s) => assert.equal(s.contact.web, 'https://web.example')],
    ['notes true', (p) => { p.station.notes = true; }, (s) => assert.equal('notes' in s, false)],
    ['notes false', (p) => { p.station.notes = false; }, (s) => assert.equal('notes' in s, false)],
    ['deleted missing', (p) => { delete p.station.deleted; }, (s) => assert.equal(s.deleted, false)],
    ['deleted true kept', (p) => { p.station.deleted = true; }, (s) => assert.equal(s.deleted, true)],
    ['times "[24h]"', (p) => { p.station['open-hour-notes'] = [{ times: '[24h]', days: ['Mo', 'Su'] }]; }, (s) => assert.deepEqual(s['open-hour-notes'][0].times, ['00:00', '24:00'])],
    ['times ["24h"]', (p) => { p.station['open-hour-notes'] = [{ times: ['24h'], days: ['Mo', 'Su'] }]; }, (s) => assert.deepEqual(s['open-hour-notes'][0].times, ['00:00', '24:00'])],
    ['times "24H" in other case', (p) => { p.station['open-hour-notes'] = [{ times: ['[24H]'], days: ['Sa', 'Sa'] }]; }, (s) => assert.deepEqual(s['open-hour-notes'][0].times, ['00:00', '24:00'])],
    ['times already canonical', (p) => { p.station['open-hour-notes'] = [{ times: ['00:00', '24:00'], days: ['Mo', 'Su'] }]; }, (s) => assert.deepEqual(s['open-hour-notes'][0].times, ['00:00', '24:00'])],
  ];
  for (const [what, patch, check] of lenient) {
    it(`should read ${what}`, () => check(station(aStationPost(patch))));
  }

  it('should accept unknown extra fields at every level', () => {
    const s = station(aStationPost((p) => {
      p.future = 1;
      p.station['opening-times-v5'] = { x: 1 };
      p.station.address.district = 'Mitte';
      p.station.contact.twitter = '@x';
      p.station.connectors[0].power_type = 'AC_3_PHASE';
    }));
    assert.equal(s.connectors.length, 2);
  });

  const garbage: [string, (p: any) => void][] = [
    ['station null', (p) => { p.station = null; }],
    ['station an array', (p) => { p.station = []; }],
    ['address a string', (p) => { p.station.address = 'Torstr. 1'; }],
    ['address null', (p) => { p.station.address = null; }],
    ['contact an array', (p) => { p.station.contact = ['x']; }],
    ['open-hour-notes a string', (p) => { p.station['open-hour-notes'] = '[24h]'; }],
    ['open-hour-notes with null entries', (p) => { p.station['open-hour-notes'] = [null, 5, { times: 3 }, { times: [null] }]; }],
  ];
  for (const [what, patch] of garbage) {
    it(`should answer 230, not throw a TypeError, for ${what}`, () => rejects(aStationPost(patch), /^station-post\./));
  }
});

describe('station-get-by-ids', () => {
  const ids = (n: number) => Array.from({ length: n }, (_, i) => 1000 + i);

  it('should accept 10 station ids', () => {
    assert.equal((parseRequest({ 'station-get-by-ids': { 'station-ids': ids(10) } }).payload as any)['station-ids'].length, 10);
  });
  it('should reject 11 station ids', () => rejects({ 'station-get-by-ids': { 'station-ids': ids(11) } }, 'station-get-by-ids.station-ids: must hold 1 to 10 hub station ids'));
  it('should reject no station ids', () => rejects({ 'station-get-by-ids': { 'station-ids': [] } }, 'station-get-by-ids.station-ids: must hold 1 to 10 hub station ids'));
  it('should reject a station id as string', () => rejects({ 'station-get-by-ids': { 'station-ids': [1, '1770'] } }, 'station-get-by-ids.station-ids[1]: not a hub id (a non-negative integer)'));
  it('should reject a negative station id', () => rejects({ 'station-get-by-ids': { 'station-ids': [-1] } }, 'station-get-by-ids.station-ids[0]: not a hub id (a non-negative integer)'));
  it('should reject an unknown identifier type', () => rejects({ 'station-get-by-ids': { user: { 'identifier-type': 'email', identifier: 'a@b' }, 'station-ids': [1] } }, 'station-get-by-ids.user.identifier-type: not an identifier type (evco-id, rfid, username, token)'));
  it('should reject 11 ids in tariffs-get-by-station-ids too', () => rejects({ 'tariffs-get-by-station-ids': { 'station-ids': ids(11) } }, 'tariffs-get-by-station-ids.station-ids: must hold 1 to 10 hub station ids'));

  it('should require stations and companies in a successful response only', () => {
    rejects(null, 'station-get-by-ids response.stations: is required', () => parseResponse('station-get-by-ids', { result: { code: 0, message: '' } }));
    rejects(null, 'station-get-by-ids response.companies: is required', () => parseResponse('station-get-by-ids', { result: { code: 0, message: '' }, stations: [] }));
    assert.equal(parseResponse('station-get-by-ids', { result: { code: '230', message: 'bad' } }).result.code, 230);
  });

  it('should answer 230, not throw a TypeError, for garbage stations and companies', () => {
    for (const stations of [[null, 'x', 5], 'x', { a: 1 }]) {
      rejects(null, /^station-get-by-ids response\.stations/, () => parseResponse('station-get-by-ids', { result: { code: 0, message: '' }, stations, companies: [null] }));
    }
    rejects(null, /^station-get-by-ids response\.companies\[0\]/, () => parseResponse('station-get-by-ids', { result: { code: 0, message: '' }, stations: [], companies: [{ address: 7, contact: 'x' }] }));
  });
});

describe('station-get-surface', () => {
  const box = { 'min-lat': 50, 'max-lat': 51, 'min-long': 6, 'max-long': 7 };

  it('should accept a box without filters', () => {
    assert.deepEqual(parseRequest({ 'station-get-surface': box }).payload, box);
  });
  const bad: [string, any, string | RegExp][] = [
    ['a latitude as string', { ...box, 'min-lat': '50' }, /^station-get-surface\.min-lat: /],
    ['a missing corner', { 'min-lat': 50, 'max-lat': 51, 'min-long': 6 }, 'station-get-surface.max-long: is required'],
    ['an unknown connector type filter', { ...box, filters: { 'connector-types': ['Foo'] } }, /^station-get-surface\.filters\.connector-types\[0\]: not a known connector type/],
    ['an excluded id as string', { ...box, filters: { excludes: ['11131'] } }, 'station-get-surface.filters.excludes[0]: not a hub id (a non-negative integer)'],
    ['an operator id as string', { ...box, filters: { 'operator-ids': ['x'] } }, 'station-get-surface.filters.operator-ids[0]: not a hub id (a non-negative integer)'],
    ['a bad RFID user', { ...box, user: { 'identifier-type': 'rfid', identifier: 'nothex!' } }, 'station-get-surface.user.identifier: not a valid RFID UID (8, 14 or 20 hex characters)'],
  ];
  for (const [what, payload, message] of bad) {
    it(`should reject ${what} with 230 and its path`, () => rejects({ 'station-get-surface': payload }, message));
  }

  it('should read a short lower-case RFID user identifier', () => {
    const p: any = parseRequest({ 'station-get-surface': { ...box, user: { 'identifier-type': 'rfid', identifier: 'abc' } } }).payload;
    assert.equal(p.user.identifier, '00000ABC');
  });

  it('should require stations and hasMore on success', () => {
    rejects(null, 'station-get-surface response.hasMore: is required', () => parseResponse('station-get-surface', { result: { code: 0, message: '' }, stations: [] }));
  });
  it('should reject a summary the page does not list', () => {
    const s = { id: 1, name: 'x', latitude: 1, longitude: 1, 'dynamic-status-summary': 'Reserved', 'owner-type': null, 'last-static-change': '2017-01-13T18:07:23+01:00', 'connector-statuses': {} };
    rejects(null, 'station-get-surface response.stations[0].dynamic-status-summary: not a status summary (Available, Occupied, Offline or null)',
      () => parseResponse('station-get-surface', { result: { code: 0, message: '' }, stations: [s], hasMore: false }));
  });
});

describe('station-get-usage', () => {
  it('should reject a station id as string', () => rejects({ 'station-get-usage': { 'station-id': '1770' } }, 'station-get-usage.station-id: not a hub id (a non-negative integer)'));
  it('should accept null counts in the response', () => {
    const r = parseResponse('station-get-usage', { result: { code: 0, message: '' }, 'station-usage': { 'last-7-days-usage-count': null } });
    assert.equal(r['station-usage']?.['last-7-days-usage-count'], null);
  });
});
