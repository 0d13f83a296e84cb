/**
 * `oioi cpo` end to end, app side: an OEM starts and stops sessions and reserves connectors
 * through a real hub; the gateway turns them into OCPP calls to simulated chargers and answers
 * with the codes of the spec (session_start.rst, reservation_start.rst). Runs with
 * --post-ongoing-sessions: the OEM sees the session when it starts, then its CDR.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aStationEntry, freePort, startCharger, startCpoProcess, stopCpoTest, type Charger, type CpoProcess } from '../support/ocpp.js';
import { untilKnown } from '../support/roaming.js';

const ANNA = { 'identifier-type': 'evco-id', identifier: 'FR*OEM*000003*1' };
const BERT = { 'identifier-type': 'evco-id', identifier: 'FR*OEM*000004*9' };

describe('oioi cpo: remote start/stop and reservations', () => {
  let hub: HubProcess;
  let oemMock: MockPartner;
  let oem: TestPartner;
  let cpo: TestPartner;
  let gw: CpoProcess;
  let cp: Charger;

  before(async () => {
    hub = await startHubProcess();
    oemMock = await startMockPartner();
    const port = await freePort();
    [oem, cpo] = await Promise.all([
      hub.addPartner({ name: 'OEM', roles: 'oem', endpoint: oemMock.url, endpointKey: 'hub-at-oem', evcoPrefix: 'FROEM' }),
      hub.addPartner({ name: 'Gateway CPO', roles: 'cpo', endpoint: `http://127.0.0.1:${port}/api/v4/request`, endpointKey: 'hub-at-gateway' }),
    ]);
    await untilKnown(hub.url, [oem.apiKey, cpo.apiKey]);
    gw = await startCpoProcess({
      hubUrl: hub.url, hubKey: cpo.apiKey, partnerIdentifier: cpo.partnerIdentifier, key: 'hub-at-gateway', port,
      stations: [
        aStationEntry('S1', 'CP1', ['DE*GWY*E1', 'DE*GWY*E2', 'DE*GWY*E3', 'DE*GWY*E4', 'DE*GWY*E5']),
        aStationEntry('S2', 'CP-AWAY', ['DE*GWY*E9']),
        aStationEntry('S3', 'CP3', ['DE*GWY*E7'], { reservable: false }),
      ],
      args: ['--remote-start-timeout', '700', '--ocpp-call-timeout', '1500', '--outbox-min-delay', '100', '--post-ongoing-sessions'],
    });
    cp = await startCharger({ url: gw.ocppUrl, id: 'CP1', connectors: [1, 2, 3, 4, 5] });
    // A charger that starts what it is asked to, as a real one does once the car is plugged in.
    cp.answer('RemoteStartTransaction', (p) => {
      setTimeout(() => void cp.startTransaction(p.connectorId, p.idTag, 1000).then(() => cp.status(p.connectorId, 'Charging')), 30);
      return { status: 'Accepted' };
    });
    await hubKnowsStations();
  });
  after(() => stopCpoTest({ chargers: [cp], gw, hub, mocks: [oemMock] }));

  async function hubKnowsStations() {
    for (let i = 0; i < 200; i++) {
      const r = await send(hub.url, oem.apiKey, { 'station-get-surface': { 'min-lat': 52, 'max-lat': 53, 'min-long': 13, 'max-long': 14 } });
      if (r.body.stations?.length === 3) return;
      await new Promise((d) => setTimeout(d, 50));
    }
    throw new Error('the gateway\'s stations did not reach the hub');
  }
  const start = (evse: string, user = ANNA) => send(hub.url, oem.apiKey, { 'session-start': { user, 'connector-id': evse } });
  const stop = (evse: string, sessionId?: string, user = ANNA) => send(hub.url, oem.apiKey, { 'session-stop': { user, 'connector-id': evse, ...(sessionId ? { 'session-id': sessionId } : {}) } });

  it('should start a session on the charger, answer its session id, stop it remotely and deliver the CDR to the OEM', async () => {
    const r = await start('DE*GWY*E1');
    assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    const sessionId = r.body['session-start']['session-id'];
    assert.equal(r.body['session-start']['is-stoppable'], true);
    const call = await cp.waitFor('RemoteStartTransaction');
    assert.equal(call.params.connectorId, 1);
    cp.answer('RemoteStopTransaction', (p) => {
      setTimeout(() => void cp.stopTransaction(p.transactionId, 8500, 'Remote'), 30);
      return { status: 'Accepted' };
    });
    const s = await stop('DE*GWY*E1', sessionId);
    assert.equal(s.body.result.code, 0, JSON.stringify(s.body));
    assert.ok((await cp.waitFor('RemoteStopTransaction')).params.transactionId > 0);
    const cdr = await oemMock.waitFor('session-post', 10_000, (x) => x.payload['session-id'] === sessionId && x.payload['session-interval'].stop !== undefined);
    const ongoing = oemMock.received.find((x) => x.call === 'session-post' && x.payload['session-id'] === sessionId);
    assert.equal(ongoing?.payload['session-interval'].stop, undefined, 'with --post-ongoing-sessions the start is posted first');
    assert.deepEqual(cdr.payload.user, ANNA);
    assert.equal(cdr.payload['energy-consumed'], 7.5);
    assert.equal(cdr.payload['connector-id'], 'DE*GWY*E1');
  });

  it('should answer 320 when the connector is in use', async () => {
    await cp.status(2, 'Charging');
    assert.equal((await start('DE*GWY*E2')).body.result.code, 320);
    await cp.status(2, 'Available');
  });

  it('should answer 310 when the charger rejects the remote start or is not connected', async () => {
    cp.answer('RemoteStartTransaction', () => ({ status: 'Rejected' }));
    assert.equal((await start('DE*GWY*E3')).body.result.code, 310);
    assert.equal((await start('DE*GWY*E9')).body.result.code, 310);
  });

  it('should answer 312 when no transaction starts in time', async () => {
    cp.answer('RemoteStartTransaction', () => ({ status: 'Accepted' }));
    const t0 = Date.now();
    assert.equal((await start('DE*GWY*E3')).body.result.code, 312);
    assert.ok(Date.now() - t0 >= 600, 'the gateway waited for the StartTransaction');
  });

  it('should answer 182 for a session it does not know', async () => {
    assert.equal((await stop('DE*GWY*E4', 'no-such-session')).body.result.code, 182);
  });

  it('should reserve a connector with ReserveNow, refuse a second one, and cancel it with CancelReservation', async () => {
    const r = await send(hub.url, oem.apiKey, { 'reservation-start': { 'connector-id': 'DE*GWY*E4', identifier: [{ 'evco-id': BERT.identifier, rfid: '11223344' }] } });
    assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    assert.ok(Date.parse(r.body['reservation-start'].end) > Date.now() + 60_000);
    const reserve = await cp.waitFor('ReserveNow');
    assert.equal(reserve.params.connectorId, 4);
    assert.equal(reserve.params.idTag, '11223344');
    await cp.status(4, 'Reserved');
    const again = await send(hub.url, oem.apiKey, { 'reservation-start': { 'connector-id': 'DE*GWY*E4', identifier: [{ 'evco-id': ANNA.identifier }] } });
    assert.equal(again.body.result.code, 323);
    const s = await send(hub.url, oem.apiKey, { 'reservation-stop': { 'identifier-type': 'evco-id', identifier: BERT.identifier } });
    assert.equal(s.body.result.code, 0, JSON.stringify(s.body));
    assert.equal((await cp.waitFor('CancelReservation')).params.reservationId, reserve.params.reservationId);
    await cp.status(4, 'Available');
  });

  it('should start a reserved connector for the customer who reserved it, with the reservation\'s idTag', async () => {
    assert.equal((await send(hub.url, oem.apiKey, { 'reservation-start': { 'connector-id': 'DE*GWY*E5', identifier: [{ 'evco-id': ANNA.identifier }] } })).body.result.code, 0);
    const reserve = await cp.waitFor('ReserveNow', 5000, (c) => c.params.connectorId === 5);
    cp.answer('RemoteStartTransaction', (p) => {
      setTimeout(() => void cp.startTransaction(p.connectorId, p.idTag, 0, { reservationId: reserve.params.reservationId }), 30);
      return { status: 'Accepted' };
    });
    const r = await start('DE*GWY*E5');
    assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    const call = await cp.waitFor('RemoteStartTransaction', 5000, (c) => c.params.connectorId === 5);
    assert.equal(call.params.idTag, reserve.params.idTag);
  });

  it('should answer 320 when the charger says the connector is occupied, and 330 where reservations are off', async () => {
    cp.answer('ReserveNow', () => ({ status: 'Occupied' }));
    assert.equal((await send(hub.url, oem.apiKey, { 'reservation-start': { 'connector-id': 'DE*GWY*E3', identifier: [{ 'evco-id': BERT.identifier }] } })).body.result.code, 320);
    assert.equal((await send(hub.url, oem.apiKey, { 'reservation-start': { 'connector-id': 'DE*GWY*E7', identifier: [{ 'evco-id': BERT.identifier }] } })).body.result.code, 330);
  });
});
