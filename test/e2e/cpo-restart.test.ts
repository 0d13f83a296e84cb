/**
 * `oioi cpo` durability end to end: with the hub down, a session charged on a whitelisted card
 * leaves its CDR in the gateway's outbox; the gateway is killed (SIGKILL) and restarted, keeps
 * the whitelist, the running session and the undelivered CDR, and delivers both CDRs once the
 * hub is back.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aStationEntry, freePort, startCharger, startCpoProcess, stopCpoTest, type Charger, type CpoProcess } from '../support/ocpp.js';
import { eventually, untilKnown } from '../support/roaming.js';

const CARD = 'C0FFEE01';

function pendingCalls(db: string): string[] {
  const conn = new Database(db.replace(/^sqlite:/, ''), { readonly: true, fileMustExist: true });
  try {
    return conn.prepare("SELECT call FROM outbox WHERE state = 'pending' ORDER BY id").pluck().all() as string[];
  } finally {
    conn.close();
  }
}

describe('oioi cpo: restarts lose nothing', () => {
  let hub: HubProcess;
  let emp: MockPartner;
  let empPartner: TestPartner;
  let cpo: TestPartner;
  let gw: CpoProcess;
  const chargers: Charger[] = [];

  before(async () => {
    hub = await startHubProcess();
    emp = await startMockPartner();
    const port = await freePort();
    [empPartner, cpo] = await Promise.all([
      hub.addPartner({ name: 'EMP', roles: 'emp', endpoint: emp.url, endpointKey: 'hub-at-emp' }),
      hub.addPartner({ name: 'Gateway CPO', roles: 'cpo', endpoint: `http://127.0.0.1:${port}/api/v4/request`, endpointKey: 'hub-at-gateway', rfidAuth: 'offline' }),
    ]);
    await untilKnown(hub.url, [empPartner.apiKey, cpo.apiKey]);
    gw = await startCpoProcess({
      hubUrl: hub.url, hubKey: cpo.apiKey, partnerIdentifier: cpo.partnerIdentifier, key: 'hub-at-gateway', port,
      stations: [aStationEntry('S1', 'CP1', ['DE*GWY*E1', 'DE*GWY*E2'])],
      args: ['--outbox-min-delay', '100', '--outbox-max-delay', '400', '--hub-timeout', '1000'],
    });
  });
  after(() => stopCpoTest({ chargers, gw, hub, mocks: [emp] }));

  it('should keep the whitelist, a running session and an undelivered CDR across a crash, and deliver the CDRs when the hub is back', async () => {
    const cp = await startCharger({ url: gw.ocppUrl, id: 'CP1', connectors: [1, 2] });
    chargers.push(cp);
    assert.equal((await send(hub.url, empPartner.apiKey, { 'rfid-post': { rfids: [CARD], 'partner-identifier': empPartner.partnerIdentifier } })).body.result.code, 0);
    await cp.waitFor('SendLocalList', 10_000);

    await hub.stop();
    assert.equal(await cp.authorize(CARD), 'Accepted', 'the whitelist answers while the hub is down');
    const done = await cp.startTransaction(1, CARD, 0);
    await cp.stopTransaction(done.transactionId, 4200);
    const running = await cp.startTransaction(2, CARD, 50_000);
    assert.ok(pendingCalls(gw.db).includes('session-post'), 'the CDR waits in the outbox');

    await gw.kill();
    await cp.close();
    chargers.length = 0;
    await gw.restart();
    const cp2 = await startCharger({ url: gw.ocppUrl, id: 'CP1', connectors: [] });
    chargers.push(cp2);
    assert.equal(await cp2.authorize(CARD), 'Accepted', 'the whitelist survived the crash');
    await cp2.stopTransaction(running.transactionId, 61_000);

    await hub.restart();
    const first = await emp.waitFor('session-post', 15_000, (r) => r.payload['energy-consumed'] === 4.2);
    const second = await emp.waitFor('session-post', 15_000, (r) => r.payload['energy-consumed'] === 11);
    assert.equal(first.payload['connector-id'], 'DE*GWY*E1');
    assert.equal(second.payload['connector-id'], 'DE*GWY*E2');
    assert.ok(emp.received.indexOf(first) < emp.received.indexOf(second), 'delivered in order');
    await eventually(async () => pendingCalls(gw.db).length === 0, 5000, 'outbox empty');
  });

  it('should print both real ports in its ready line and stop cleanly on SIGTERM', async () => {
    assert.match(gw.url, /^http:\/\/127\.0\.0\.1:[1-9][0-9]*\/api\/v4\/request$/);
    assert.match(gw.ocppUrl, /^ws:\/\/127\.0\.0\.1:[1-9][0-9]*\/$/);
    await gw.stop();
    assert.equal(gw.child.exitCode, 0);
  });
});
