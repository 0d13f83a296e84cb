/**
 * POI writes end to end: station-post and connector-post-status against a real hub process, real
 * HTTP, partners from the real CLI. One test or more per rule of shared/protocol.md ("POI").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aStationPost, around, startPoiHub, status, surface, type PoiHub } from '../support/poi.js';
import { testEngines } from '../support/engines.js';

for (const engine of testEngines()) describe(`hub POI: station-post and connector-post-status (${engine})`, () => {
  let t: PoiHub;
  before(async () => { t = await startPoiHub({ engine }); });
  after(async () => { await t.hub.stop(); await t.hub.cleanup(); });

  it('should keep stations of different partner identifiers apart, even with the same station.id', async () => {
    assert.equal((await t.post(t.cpoA, aStationPost(t.cpoA, { id: 'shared-id', lat: 1, lon: 1, name: 'A station' }))).body.result.code, 0);
    assert.equal((await t.post(t.cpoB, aStationPost(t.cpoB, { id: 'shared-id', lat: 2, lon: 2, name: 'B station' }))).body.result.code, 0);
    const a = await t.stationAt(1, 1);
    const b = await t.stationAt(2, 2);
    assert.notEqual(a.id, b.id);
    assert.equal(a.name, 'A station');
    // B cannot post under A's partner identifier at all.
    const foreign = await t.post(t.cpoB, aStationPost(t.cpoA, { id: 'shared-id', lat: 3, lon: 3 }));
    assert.deepEqual([foreign.status, foreign.body.result.code], [403, 211]);
    assert.equal((await t.stationAt(1, 1)).name, 'A station');
  });

  it('should update static data on a re-post and keep the hub ids', async () => {
    const body = aStationPost(t.cpoA, { lat: 4, lon: 4, evse: ['DE*8PS*E4001', 'DE*8PS*E4002'] });
    await t.post(t.cpoA, body);
    const first = await t.stationAt(4, 4);
    body['station-post'].station.name = 'Renamed';
    assert.equal((await t.post(t.cpoA, body)).body.result.code, 0);
    const again = await t.stationAt(4, 4);
    assert.equal(again.id, first.id);
    assert.equal(again.name, 'Renamed');
    assert.deepEqual(Object.keys(again['connector-statuses']), Object.keys(first['connector-statuses']));
  });

  it('should refuse a re-post that changes the connector ids with HTTP 400, code 230 and the reason', async () => {
    const body = aStationPost(t.cpoA, { lat: 5, lon: 5, evse: ['DE*8PS*E5001'] });
    await t.post(t.cpoA, body);
    body['station-post'].station.connectors = [{ id: 'DE*8PS*E5002', name: 'Type2', speed: 22 }];
    const r = await t.post(t.cpoA, body);
    assert.deepEqual([r.status, r.body.result.code], [400, 230]);
    assert.match(r.body.result.message, /may not change/);
    assert.match(r.body.result.message, /DE\*8PS\*E5002/);
  });

  it('should refuse one post naming the same EVSE ID twice with code 230', async () => {
    const r = await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 6, lon: 6, evse: ['DE*8PS*E6001', 'de8pse6001'] }));
    assert.deepEqual([r.status, r.body.result.code], [400, 230]);
  });

  it('should answer 322 for an EVSE ID of another partner elsewhere and 230 at the same place', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 7, lon: 7, evse: ['DE*8PS*E7001'] }));
    const elsewhere = await t.post(t.cpoB, aStationPost(t.cpoB, { lat: 7.5, lon: 7, evse: ['DE*8PS*E7001'] }));
    assert.deepEqual([elsewhere.status, elsewhere.body.result.code], [200, 322]);
    const samePlace = await t.post(t.cpoB, aStationPost(t.cpoB, { lat: 7, lon: 7, evse: ['de8pse7001'] }));
    assert.deepEqual([samePlace.status, samePlace.body.result.code], [400, 230]);
    assert.equal((await t.post(t.oem, surface(around(7, 7, 1)))).body.stations.length, 1);
  });

  it('should soft-delete a station out of every query and bring it back with the same ids', async () => {
    const body = aStationPost(t.cpoA, { lat: 8, lon: 8, evse: ['DE*8PS*E8001', 'DE*8PS*E8002'] });
    await t.post(t.cpoA, body);
    const live = await t.stationAt(8, 8);
    (body['station-post'].station as Record<string, unknown>).deleted = true;
    assert.equal((await t.post(t.cpoA, body)).body.result.code, 0);
    assert.equal(await t.stationAt(8, 8), undefined);
    assert.deepEqual((await t.byIds([live.id])).stations, []);
    assert.equal((await t.post(t.cpoA, status(t.cpoA, 'DE*8PS*E8001', 'Available'))).body.result.code, 181);
    delete (body['station-post'].station as Record<string, unknown>).deleted;
    assert.equal((await t.post(t.cpoA, body)).body.result.code, 0);
    const back = await t.stationAt(8, 8);
    assert.equal(back.id, live.id);
    assert.deepEqual(Object.keys(back['connector-statuses']), Object.keys(live['connector-statuses']));
  });

  it('should set the status of every own connector with that EVSE ID, timestamped, in any spelling', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 9, lon: 9, evse: ['DE*8PS*E9001', 'DE*8PS*E9002'] }));
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 9.001, lon: 9, evse: ['DE*8PS*E9001'] }));
    const t0 = Date.now() - 1000;
    assert.equal((await t.post(t.cpoA, status(t.cpoA, 'de8pse9001', 'Occupied'))).body.result.code, 0);
    const [s1, s2] = [await t.stationAt(9, 9), await t.stationAt(9.001, 9)];
    assert.deepEqual(Object.values(s2['connector-statuses']), ['Occupied']);
    assert.deepEqual(Object.values(s1['connector-statuses']).sort(), ['Occupied', 'Unknown']);
    const detail = (await t.byIds([s2.id])).stations[0];
    assert.equal(detail.connectors[0].status, 'Occupied');
    assert.ok(Date.parse(detail.connectors[0]['last-change']) >= t0);
    assert.equal(detail['has-dynamic-info'], true);
    const usage = await t.post(t.oem, { 'station-get-usage': { 'station-id': s2.id } });
    assert.equal(usage.body['station-usage']['last-7-days-usage-count'], 1);
  });

  it('should answer 181 with the same message for a foreign EVSE ID and an unknown one', async () => {
    await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 10, lon: 10, evse: ['DE*8PS*E10001'] }));
    const foreign = await t.post(t.cpoB, status(t.cpoB, 'DE*8PS*E10001', 'Offline'));
    const unknown = await t.post(t.cpoB, status(t.cpoB, 'DE*8PS*E10999', 'Offline'));
    assert.deepEqual([foreign.status, foreign.body.result.code], [200, 181]);
    assert.deepEqual(foreign.body, unknown.body);
    assert.deepEqual(Object.values((await t.stationAt(10, 10))['connector-statuses']), ['Unknown']);
  });
});
