/**
 * `oioi cpo` end to end, driver side: a real hub process, a real gateway process, chargers
 * simulated with ocpp-rpc in strict mode, a mock EMP. Stations reach the hub's map, statuses
 * follow the chargers, RFID cards are verified online or from the hub's whitelist, and the CDR
 * of a tap-to-unplug session reaches the EMP with its energy and intervals.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ocpp from 'ocpp-rpc';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aStationEntry, freePort, startCharger, startCpoProcess, stopCpoTest, type Charger, type CpoProcess } from '../support/ocpp.js';
import { eventually, hubConnectorId, untilKnown } from '../support/roaming.js';

const CARD = '0A1B2C3D';
const BOX = { 'min-lat': 52, 'max-lat': 53, 'min-long': 13, 'max-long': 14 };

describe('oioi cpo: chargers, statuses, RFID and CDRs', () => {
  let hub: HubProcess;
  let emp: MockPartner;
  let empPartner: TestPartner;
  let oem: TestPartner;
  let cpo: TestPartner;
  let gw: CpoProcess;
  const chargers: Charger[] = [];

  before(async () => {
    hub = await startHubProcess();
    emp = await startMockPartner((r) => {
      if (r.call === 'rfid-verify') return r.payload.rfid === CARD ? { result: { code: 0, message: 'Success.' }, 'evco-id': 'DE*EMP*000001*2' } : { result: { code: 191, message: 'unknown' } };
      return { result: { code: 0, message: 'Success.' } };
    });
    const port = await freePort();
    [empPartner, oem, cpo] = await Promise.all([
      hub.addPartner({ name: 'EMP', roles: 'emp', endpoint: emp.url, endpointKey: 'hub-at-emp', rfidAuth: 'online', evcoPrefix: 'DEEMP' }),
      hub.addPartner({ name: 'OEM', roles: 'oem' }),
      hub.addPartner({ name: 'Gateway CPO', roles: 'cpo', endpoint: `http://127.0.0.1:${port}/api/v4/request`, endpointKey: 'hub-at-gateway', rfidAuth: 'offline' }),
    ]);
    await untilKnown(hub.url, [empPartner.apiKey, oem.apiKey, cpo.apiKey]);
    gw = await startCpoProcess({
      hubUrl: hub.url, hubKey: cpo.apiKey, partnerIdentifier: cpo.partnerIdentifier, key: 'hub-at-gateway', port,
      stations: [aStationEntry('S1', 'CP1', ['DE*GWY*E1', 'DE*GWY*E2'], { password: 'secret-of-cp1' }), aStationEntry('S2', 'CP2', ['DE*GWY*E3'], { lat: 52.6 })],
      args: ['--offline-grace', '400', '--outbox-min-delay', '100'],
    });
  });
  after(() => stopCpoTest({ chargers, gw, hub, mocks: [emp] }));

  const surface = async () => (await send(hub.url, oem.apiKey, { 'station-get-surface': BOX })).body;
  const statusAtHub = async (evse: string) => (await surface()).stations?.flatMap((s: any) => Object.entries(s['connector-statuses'] ?? {})).find(([id]: [string]) => Number(id) === hubConnectorId(hub.db, evse))?.[1];

  it('should post every station of the file to the hub on start', async () => {
    const body = await eventually(async () => {
      const b = await surface();
      return b.stations?.length === 2 ? b : undefined;
    }, 8000, 'both stations at the hub');
    assert.deepEqual(body.stations.map((s: any) => s.name).sort(), ['Station S1', 'Station S2']);
  });

  it('should refuse unknown charge points and wrong passwords at the WebSocket handshake', async () => {
    await assert.rejects(startCharger({ url: gw.ocppUrl, id: 'NOPE', noBoot: true }));
    await assert.rejects(startCharger({ url: gw.ocppUrl, id: 'CP1', password: 'not-the-password', noBoot: true }));
    await assert.rejects(startCharger({ url: gw.ocppUrl, id: 'CP1', noBoot: true }), 'CP1 asks for a password');
  });

  it('should show a booted charger\'s connectors Available, then Occupied while charging, in station-get-surface', async () => {
    const cp1 = await startCharger({ url: gw.ocppUrl, id: 'CP1', password: 'secret-of-cp1', connectors: [1, 2] });
    chargers.push(cp1);
    await eventually(async () => (await statusAtHub('DE*GWY*E1')) === 'Available', 8000, 'E1 Available');
    await cp1.status(2, 'Charging');
    await eventually(async () => (await statusAtHub('DE*GWY*E2')) === 'Occupied', 8000, 'E2 Occupied');
    await cp1.status(2, 'Faulted');
    await eventually(async () => (await statusAtHub('DE*GWY*E2')) === 'Offline', 8000, 'E2 Offline');
    await cp1.status(2, 'Available');
  });

  it('should refuse a schema-invalid OCPP message and keep the connection', async () => {
    const loose = await startCharger({ url: gw.ocppUrl, id: 'CP2', strict: false, noBoot: true });
    chargers.push(loose);
    await assert.rejects(loose.client.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' }), (err: any) => err instanceof ocpp.RPCError && /Violation/.test(err.rpcErrorCode));
    await assert.rejects(loose.client.call('StartTransaction', { connectorId: 1, idTag: 'THIS-ID-TAG-IS-FAR-TOO-LONG-FOR-OCPP', meterStart: 0, timestamp: new Date().toISOString() }), ocpp.RPCError);
    const hb: any = await loose.client.call('Heartbeat', {});
    assert.ok(Date.parse(hb.currentTime) > 0);
    await loose.close();
    chargers.splice(chargers.indexOf(loose), 1);
  });

  it('should charge with a card the EMP knows online and deliver the CDR with kWh and intervals to the EMP', async () => {
    const cp1 = chargers.find((c) => c.client.identity === 'CP1')!;
    assert.equal(await cp1.authorize(CARD.toLowerCase()), 'Accepted');
    assert.equal(await cp1.authorize('FFFF0001'), 'Invalid');
    assert.equal(await cp1.authorize('not-a-card'), 'Invalid');
    const t0 = Date.now();
    await cp1.status(1, 'Preparing');
    // The charger's own clock sets the session's start: pinned to t0, so the whole-second
    // difference below cannot lose a second to a boundary crossed between t0 and this call.
    const tx = await cp1.startTransaction(1, CARD, 10_000, { timestamp: new Date(t0).toISOString() });
    assert.equal(tx.status, 'Accepted');
    await cp1.status(1, 'Charging');
    await cp1.meterValues(1, tx.transactionId, 10_000, new Date(t0 + 1000));
    await cp1.meterValues(1, tx.transactionId, 15_000, new Date(t0 + 2000));
    await cp1.meterValues(1, tx.transactionId, 22_500, new Date(t0 + 3000));
    await cp1.meterValues(1, tx.transactionId, 22_500, new Date(t0 + 4000));
    await cp1.stopTransaction(tx.transactionId, 22_500, 'EVDisconnected', new Date(t0 + 5000));
    await cp1.status(1, 'Available');
    const cdr = await emp.waitFor('session-post', 10_000);
    const p = cdr.payload;
    assert.deepEqual(p.user, { 'identifier-type': 'rfid', identifier: CARD });
    assert.equal(p['connector-id'], 'DE*GWY*E1');
    assert.equal(p['energy-consumed'], 12.5);
    const sec = (s: string) => Math.floor(Date.parse(s) / 1000);
    assert.equal(sec(p['session-interval'].stop) - sec(p['session-interval'].start), 5);
    assert.equal(sec(p['charging-interval'].start), Math.floor((t0 + 1000) / 1000));
    assert.equal(sec(p['charging-interval'].stop), Math.floor((t0 + 3000) / 1000));
    assert.ok(p['session-id'].length > 10);
  });

  it('should take the hub\'s whitelist, authorize from it without asking the hub, and send it to the charger', async () => {
    const cp1 = chargers.find((c) => c.client.identity === 'CP1')!;
    const r = await send(hub.url, empPartner.apiKey, { 'rfid-post': { rfids: ['ABCDEF01', 'ABCDEF02'], 'partner-identifier': empPartner.partnerIdentifier } });
    assert.equal(r.body.result.code, 0);
    const list = await cp1.waitFor('SendLocalList', 10_000, (c) => c.params.localAuthorizationList?.some((e: any) => e.idTag === 'ABCDEF02'));
    assert.equal(list.params.updateType, 'Full');
    const asked = emp.received.filter((x) => x.call === 'rfid-verify').length;
    assert.equal(await cp1.authorize('ABCDEF01'), 'Accepted');
    assert.equal(emp.received.filter((x) => x.call === 'rfid-verify').length, asked, 'a whitelisted card is not verified online');
  });

  it('should turn a charger that went away Offline after the grace period', async () => {
    const cp2 = await startCharger({ url: gw.ocppUrl, id: 'CP2' });
    await eventually(async () => (await statusAtHub('DE*GWY*E3')) === 'Available', 8000, 'E3 Available');
    await cp2.close();
    await eventually(async () => (await statusAtHub('DE*GWY*E3')) === 'Offline', 8000, 'E3 Offline');
  });

  it('should post a station added to the stations file while running, and delete one removed', async () => {
    gw.writeStations([aStationEntry('S1', 'CP1', ['DE*GWY*E1', 'DE*GWY*E2'], { password: 'secret-of-cp1' }), aStationEntry('S3', 'CP3', ['DE*GWY*E9'], { lat: 52.7 })]);
    await eventually(async () => {
      const names = (await surface()).stations?.map((s: any) => s.name).sort().join();
      return names === 'Station S1,Station S3';
    }, 8000, 'S3 added and S2 removed at the hub');
  });
});
