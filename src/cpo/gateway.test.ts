/**
 * The gateway in-process against a mock hub (real HTTP, real WebSockets, simulated chargers in
 * strict mode): the OIOI endpoint's codes that a hub in front of it would hide, and the charger
 * housekeeping (local lists, reconnects, stations file reloads).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../transport/server/index.js';
import { send, startMockPartner, type MockPartner } from '../../test/support/http.js';
import { aStationEntry, startCharger, type Charger } from '../../test/support/ocpp.js';
import { startCpoGateway, type CpoGateway } from './gateway.js';

const PID = 'gateway-partner-identifier-0001';
const KEY = 'the-hub-key-at-the-gateway';
const EVCO = 'DE*EMP*000001*2';

describe('startCpoGateway', () => {
  let hub: MockPartner;
  let gw: CpoGateway;
  let dir: string;
  let stationsPath: string;
  const chargers: Charger[] = [];
  const call = (body: unknown, key = KEY) => send(gw.url, key, body);
  const hubGot = (callName: string, evse?: string) => hub.received.filter((r) => r.call === callName && (!evse || r.payload['connector-id'] === evse));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oioi-cpo-gw-'));
    stationsPath = join(dir, 'stations.json');
    writeFileSync(stationsPath, JSON.stringify({ stations: [aStationEntry('S1', 'CP1', ['DE*GWY*E1', 'DE*GWY*E2']), aStationEntry('S2', 'CP2', ['DE*GWY*E3'])] }));
    hub = await startMockPartner();
    gw = await startCpoGateway({
      hubUrl: hub.url, hubKey: 'k', partnerIdentifier: PID, stationsPath, key: KEY, db: `sqlite:${join(dir, 'cpo.db')}`,
      port: 0, ocppPort: 0, logger: silentLogger, offlineGraceMs: 150, ocppCallTimeoutMs: 300, remoteStartTimeoutMs: 300, outboxMinDelayMs: 50,
    });
    chargers.push(await startCharger({ url: gw.ocppUrl, id: 'CP1', connectors: [1, 2] }));
    chargers.push(await startCharger({ url: gw.ocppUrl, id: 'CP2', profiles: 'Core,Reservation' }));
  });
  after(async () => {
    await Promise.all(chargers.map((c) => c.close().catch(() => {})));
    await gw.stop();
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should refuse calls without the hub\'s key and calls a CPO does not serve', async () => {
    assert.equal((await call({ 'rfid-post': { rfids: [], 'partner-identifier': PID } }, 'wrong')).status, 401);
    const r = await call({ 'station-get-surface': { 'min-lat': 0, 'max-lat': 1, 'min-long': 0, 'max-long': 1 } });
    assert.notEqual(r.body.result.code, 0);
  });

  it('should answer 181 for an EVSE that is not in the stations file', async () => {
    const r = await call({ 'session-start': { user: { 'identifier-type': 'evco-id', identifier: EVCO }, 'connector-id': 'DE*GWY*E99' } });
    assert.equal(r.body.result.code, 181);
    assert.equal((await call({ 'reservation-start': { 'connector-id': 'DE*GWY*E99', identifier: [{ 'evco-id': EVCO }] } })).body.result.code, 181);
  });

  it('should answer 312 when the charger does not answer RemoteStartTransaction in time', async () => {
    const cp1 = chargers[0]!;
    cp1.answer('RemoteStartTransaction', () => new Promise((r) => setTimeout(() => r({ status: 'Accepted' }), 1000)));
    const r = await call({ 'session-start': { user: { 'identifier-type': 'evco-id', identifier: EVCO }, 'connector-id': 'DE*GWY*E2' } });
    assert.equal(r.body.result.code, 312);
  });

  it('should answer 323 for a reserved EVSE, 194 for a second reservation of one contract, and 189 for an unknown one', async () => {
    assert.equal((await call({ 'reservation-start': { 'connector-id': 'DE*GWY*E1', identifier: [{ 'evco-id': EVCO }] } })).body.result.code, 0);
    assert.equal((await call({ 'reservation-start': { 'connector-id': 'de*gwy*e1', identifier: [{ 'evco-id': 'DE*EMP*000002*0' }] } })).body.result.code, 323);
    assert.equal((await call({ 'reservation-start': { 'connector-id': 'DE*GWY*E3', identifier: [{ 'evco-id': EVCO }] } })).body.result.code, 194);
    const other = await call({ 'session-start': { user: { 'identifier-type': 'evco-id', identifier: 'DE*EMP*000002*0' }, 'connector-id': 'DE*GWY*E1' } });
    assert.equal(other.body.result.code, 320, 'a reserved EVSE does not start for someone else');
    assert.equal((await call({ 'reservation-stop': { 'identifier-type': 'evco-id', identifier: 'DE*EMP*000002*0' } })).body.result.code, 189);
    assert.equal((await call({ 'reservation-stop': { 'identifier-type': 'evco-id', identifier: EVCO, 'connector-id': 'DE*GWY*E1' } })).body.result.code, 0);
    assert.equal((await call({ 'reservation-stop': { 'identifier-type': 'evco-id', identifier: EVCO } })).body.result.code, 189, 'already cancelled');
  });

  it('should store a whitelist, count new cards, and send it only to chargers with local lists', async () => {
    const first = await call({ 'rfid-post': { rfids: ['0A0A0A0A', '0B0B0B0B'], 'partner-identifier': PID } });
    assert.deepEqual(first.body, { result: { code: 0, message: 'Success.' }, rfid: { processed: 2 } });
    const second = await call({ 'rfid-post': { rfids: ['0B0B0B0B', '0C0C0C0C'], 'partner-identifier': PID } });
    assert.equal(second.body.rfid.processed, 1);
    const sent = await chargers[0]!.waitFor('SendLocalList', 3000, (c) => c.params.listVersion === 2);
    assert.deepEqual(sent.params.localAuthorizationList.map((e: any) => e.idTag), ['0B0B0B0B', '0C0C0C0C']);
    assert.equal(chargers[1]!.received.some((c) => c.method === 'SendLocalList'), false, 'CP2 has no LocalAuthListManagement');
    assert.equal((await call({ 'rfid-post': { rfids: ['nothex!'], 'partner-identifier': PID } })).body.result.code, 230);
    assert.equal(await chargers[1]!.authorize('0C0C0C0C'), 'Accepted');
    const again = await startCharger({ url: gw.ocppUrl, id: 'CP1', noBoot: true });
    chargers[0] = again;
    await again.client.call('Heartbeat', {});
    const resent = await again.waitFor('SendLocalList', 3000);
    assert.equal(resent.params.listVersion, 2, 'a charger that reconnects without booting gets the list too');
    assert.equal(again.received.filter((c) => c.method === 'GetLocalListVersion').length, 1);
  });

  it('should post Offline after the grace period and ask a returning charger for its statuses', async () => {
    await chargers[1]!.close();
    chargers.splice(1, 1);
    const offline = () => hubGot('connector-post-status', 'DE*GWY*E3').at(-1)?.payload.status === 'Offline';
    for (let i = 0; i < 100 && !offline(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(offline(), 'E3 posted Offline');
    const back = await startCharger({ url: gw.ocppUrl, id: 'CP2', noBoot: true });
    chargers.push(back);
    const trigger = await back.waitFor('TriggerMessage', 3000);
    assert.equal(trigger.params.requestedMessage, 'StatusNotification');
  });

  it('should keep the previous stations when the file turns invalid, and disconnect a charger removed from it', async () => {
    writeFileSync(stationsPath, '{ "stations": [ { "id": 1 } ] }');
    await new Promise((r) => setTimeout(r, 700));
    assert.equal((await call({ 'session-start': { user: { 'identifier-type': 'evco-id', identifier: EVCO }, 'connector-id': 'DE*GWY*E3' } })).body.result.code === 181, false, 'E3 still known');
    const posts = hubGot('station-post').length;
    writeFileSync(stationsPath, JSON.stringify({ stations: [aStationEntry('S1', 'CP1', ['DE*GWY*E1', 'DE*GWY*E2'])] }));
    const cp2 = chargers.find((c) => c.client.identity === 'CP2')!;
    const closed = new Promise((r) => cp2.client.once('close', r));
    await closed;
    for (let i = 0; i < 100 && hubGot('station-post').length === posts; i++) await new Promise((r) => setTimeout(r, 20));
    const removal = hubGot('station-post').at(-1)!;
    assert.equal(removal.payload.station.id, 'S2');
    assert.equal(removal.payload.station.deleted, true);
  });
});
