import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isEvcoId, isEvseId, isUid, parseRequest, verifyEvcoCheckDigit } from '../protocol/index.js';
import { berlinBox, cities } from './cities.js';
import { demoDrivers } from './oem.js';
import { seededRandom } from './random.js';
import { demoEvseId, generateStations } from './stations.js';

describe('demo stations', () => {
  it('should give the same stations for the same seed and different ones for another', () => {
    const a = generateStations(seededRandom(7), 40);
    assert.deepEqual(generateStations(seededRandom(7), 40), a);
    assert.notDeepEqual(generateStations(seededRandom(8), 40), a);
  });

  it('should make station-post bodies the protocol accepts, with EVSE IDs like DE*DMO*E000123*1', () => {
    assert.equal(demoEvseId(123, 1), 'DE*DMO*E000123*1');
    for (const s of generateStations(seededRandom(1), 300)) {
      assert.doesNotThrow(() => parseRequest({ 'station-post': { station: s.data, 'partner-identifier': 'q3Zr0n-8cV1lW5m_TfYgKxB2pHs7dJeA' } }), s.data.id);
      for (const c of s.data.connectors) assert.ok(isEvseId(c.id), c.id);
    }
  });

  it('should place every station within about 10 km of its city centre, with a postcode of that city', () => {
    for (const { city, data } of generateStations(seededRandom(3), 300)) {
      assert.ok(Math.abs(data.latitude - city.lat) < 0.1 && Math.abs(data.longitude - city.long) < 0.15, `${data.id} near ${city.name}`);
      const zip = Number(data.address.zip);
      assert.ok(data.address.zip.length === 5 && zip >= city.zip[0] && zip <= city.zip[1], `${data.address.zip} in ${city.name}`);
    }
  });

  it('should put every city on the map even with few stations, and Berlin inside the printed box', () => {
    const few = generateStations(seededRandom(1), cities.length);
    assert.deepEqual(new Set(few.map((s) => s.city.name)), new Set(cities.map((c) => c.name)));
    for (const s of generateStations(seededRandom(1), 300).filter((x) => x.city.name === 'Berlin')) {
      assert.ok(s.data.latitude >= berlinBox['min-lat'] && s.data.latitude <= berlinBox['max-lat']);
      assert.ok(s.data.longitude >= berlinBox['min-long'] && s.data.longitude <= berlinBox['max-long']);
    }
  });

  it('should give drivers EVCO IDs with a correct check digit and valid UIDs', () => {
    for (const d of demoDrivers(seededRandom(2))) {
      assert.ok(isEvcoId(d.evcoId) && verifyEvcoCheckDigit(d.evcoId) === 'valid', d.evcoId);
      assert.ok(isUid(d.uid), d.uid);
    }
  });
});
