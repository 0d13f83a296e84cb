import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRequest } from '../protocol/index.js';
import { loadStations, parseStations, stationOf, StationsFileError } from './stations-file.js';

function aStation(over: Record<string, unknown> = {}) {
  return {
    id: 'S1',
    name: 'Depot',
    latitude: 52.5,
    longitude: 13.4,
    address: { street: 'Torstr.', streetNumber: 1, city: 'Berlin', zip: '10119', country: 'DE' },
    contact: { phone: '+49 30 1', website: 'https://example.com' },
    'cpo-id': 'DE*GWY',
    'is-open-24': true,
    'charge-points': [{ id: 'CP1', password: 'a-long-secret', connectors: [{ 'connector-id': 1, 'evse-id': 'DE*GWY*E1', type: 'Type2', speed: 22 }, { 'connector-id': 2, 'evse-id': 'DE*GWY*E2', type: 'Combo', speed: 50 }] }],
    ...over,
  };
}

const error = (json: unknown) => {
  try {
    parseStations(json);
  } catch (err) {
    assert.ok(err instanceof StationsFileError);
    return err.message;
  }
  assert.fail('expected a StationsFileError');
};

describe('stations file', () => {
  it('should index charge points and EVSEs, reading EVSE IDs case- and star-insensitively', () => {
    const c = parseStations({ stations: [aStation()] });
    assert.equal(c.chargePoints.get('CP1')?.password, 'a-long-secret');
    assert.equal(c.chargePoints.get('CP1')?.connectors.get(2)?.evseId, 'DE*GWY*E2');
    assert.deepEqual(c.evses.get('DEGWYE1'), { evseId: 'DE*GWY*E1', stationId: 'S1', chargePointId: 'CP1', connectorId: 1, type: 'Type2', speed: 22, reservable: true });
  });

  it('should turn a station into a station-post the OIOI schema accepts, with lenient fields normalized', () => {
    const station = stationOf(parseStations({ stations: [aStation({ 'is-reservable': false })] }).stations[0]!);
    const { payload } = parseRequest({ 'station-post': { station, 'partner-identifier': 'P'.repeat(32) } }) as any;
    assert.deepEqual(payload.station.connectors, [{ id: 'DE*GWY*E1', name: 'Type2', speed: 22 }, { id: 'DE*GWY*E2', name: 'Combo', speed: 50 }]);
    assert.equal(payload.station.address['street-number'], '1');
    assert.equal(payload.station.contact.web, 'https://example.com');
    assert.equal(payload.station.deleted, false);
    assert.equal('charge-points' in payload.station, false);
  });

  it('should name the JSON path of a schema error', () => {
    assert.match(error({ stations: [aStation({ latitude: 'north' })] }), /stations\[0\]\.latitude/);
    const badEvse = aStation();
    badEvse['charge-points'][0]!.connectors[1]!['evse-id'] = 'nope';
    assert.match(error({ stations: [badEvse] }), /stations\[0\]\.charge-points\[0\]\.connectors\[1\]\.evse-id: not a valid EVSE ID/);
    assert.match(error({ stations: [aStation({ 'charge-points': [] })] }), /charge-points/);
    assert.match(error({}), /stations/);
  });

  it('should refuse duplicates that would make an EVSE or charger ambiguous', () => {
    const twoConnectorOnes = aStation();
    twoConnectorOnes['charge-points'][0]!.connectors[1]!['connector-id'] = 1;
    assert.match(error({ stations: [twoConnectorOnes] }), /connector 1 appears twice/);
    assert.match(error({ stations: [aStation(), aStation({ id: 'S2' })] }), /charge point CP1 appears twice/);
    const sameEvse = aStation({ id: 'S2', 'charge-points': [{ id: 'CP2', connectors: [{ 'connector-id': 1, 'evse-id': 'de*gwy*e1', type: 'Type2', speed: 22 }] }] });
    assert.match(error({ stations: [aStation(), sameEvse] }), /EVSE ID de\*gwy\*e1 appears twice/);
    assert.match(error({ stations: [aStation(), aStation()] }), /station id S1 appears twice/);
  });

  it('should explain a file that is missing or not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oioi-stations-'));
    try {
      const path = join(dir, 'stations.json');
      assert.throws(() => loadStations(path), /cannot read/);
      writeFileSync(path, '{ "stations": [');
      assert.throws(() => loadStations(path), /is not JSON/);
      writeFileSync(path, JSON.stringify({ stations: [aStation()] }));
      assert.equal(loadStations(path).stations.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
