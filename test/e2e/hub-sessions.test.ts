/**
 * Remote start/stop and reservations end to end: a real hub process (`--upstream-timeout 500`),
 * the real CLI, a mock CPO endpoint (shared/protocol.md, "Remote start/stop and reservations").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send, startMockPartner, type MockPartner, type Received } from '../support/http.js';
import { aStationPost, untilKnown } from '../support/roaming.js';
import { testEngines } from '../support/engines.js';

const evco = (id: string) => ({ 'identifier-type': 'evco-id', identifier: id });
const ANNA = 'DE*EMP*000001*2';
const BERT = 'DE*EMP*000002*0';
const OTTO = 'FR*OEM*000003*1';

/** The hub's integer id of a connector, read from the hub's database. */
async function hubConnectorId(hub: HubProcess, evseId: string): Promise<number> {
  const [row] = await hub.query<{ id: number }>('SELECT id FROM connectors WHERE evse_key = ?', [evseId.toUpperCase().replace(/\*/g, '')]);
  return row!.id;
}

for (const engine of testEngines()) describe(`hub remote start/stop and reservations (${engine})`, () => {
  let hub: HubProcess;
  let cpoMock: MockPartner;
  let cpo: TestPartner;
  let cpoDown: TestPartner;
  let cpoNone: TestPartner;
  let emp: TestPartner;
  let oem: TestPartner;
  let otherEmp: TestPartner;
  /** How the mock CPO answers, per EVSE ID; default success. */
  const behaviour = new Map<string, (r: Received) => unknown>();
  const cpoCalls = (call: string) => cpoMock.received.filter((r) => r.call === call);

  before(async () => {
    hub = await startHubProcess({ engine, args: ['--upstream-timeout', '500'] });
    cpoMock = await startMockPartner((r) => {
      const evse = r.payload?.['connector-id'];
      const custom = behaviour.get(evse);
      if (custom) return custom(r);
      if (r.call === 'session-start') return { result: { code: 0, message: 'Success.' }, 'session-start': { 'session-id': `cpo-${evse}-${cpoCalls('session-start').length}`, 'is-stoppable': true } };
      if (r.call === 'reservation-start') return { result: { code: 0, message: 'Success.' }, 'reservation-start': { end: new Date(Date.now() + 20 * 60_000).toISOString() } };
      return { result: { code: 0, message: 'Success.' } };
    });
    [cpo, cpoDown, cpoNone, emp, oem, otherEmp] = await Promise.all([
      hub.addPartner({ name: 'CPO', roles: 'cpo', endpoint: cpoMock.url, endpointKey: 'hub-at-cpo' }),
      hub.addPartner({ name: 'CPO down', roles: 'cpo', endpoint: 'http://127.0.0.1:1/api/v4/request', endpointKey: 'x' }),
      hub.addPartner({ name: 'CPO without endpoint', roles: 'cpo' }),
      hub.addPartner({ name: 'EMP', roles: 'emp', evcoPrefix: 'DEEMP' }),
      hub.addPartner({ name: 'OEM', roles: 'oem', evcoPrefix: 'FROEM' }),
      hub.addPartner({ name: 'Other EMP', roles: 'emp', evcoPrefix: 'NLXYZ' }),
    ]);
    await untilKnown(hub.url, [cpo.apiKey, cpoDown.apiKey, cpoNone.apiKey, emp.apiKey, oem.apiKey, otherEmp.apiKey]);
    const evses = ['DE*CPO*E1', 'DE*CPO*E2', 'DE*CPO*E3', 'DE*CPO*E4', 'DE*CPO*E5', 'DE*CPO*E6', 'DE*CPO*E7'];
    for (const [p, id, list] of [[cpo, 'S1', evses], [cpoDown, 'S2', ['DE*DWN*E1']], [cpoNone, 'S3', ['DE*NON*E1']]] as const) {
      const r = await send(hub.url, p.apiKey, aStationPost(p.partnerIdentifier, id, [...list]));
      assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    }
  });
  after(async () => {
    await hub.stop();
    await cpoMock.close();
    await hub.cleanup();
  });

  const start = (p: TestPartner, connector: string, user = evco(ANNA)) => send(hub.url, p.apiKey, { 'session-start': { user, 'connector-id': connector } });
  const stop = (p: TestPartner, connector: string, extra: Record<string, unknown> = {}, user = evco(ANNA)) => send(hub.url, p.apiKey, { 'session-stop': { user, 'connector-id': connector, ...extra } });

  it('should answer 181 for an unknown EVSE ID or hub connector id without calling any CPO', async () => {
    assert.equal((await start(emp, 'DE*CPO*E999')).body.result.code, 181);
    assert.equal((await start(emp, '987654')).body.result.code, 181);
    assert.equal(cpoCalls('session-start').length, 0);
  });

  it('should forward session-start by hub id with the EVSE ID, relay session-id and is-stoppable, and let the starter stop it', async () => {
    const id = await hubConnectorId(hub, 'DE*CPO*E1');
    const r = await start(emp, String(id), { ...evco(ANNA), token: 'secret-of-the-emp' } as never);
    assert.equal(r.status, 200);
    assert.equal(r.body.result.code, 0);
    assert.deepEqual(r.body['session-start'], { 'session-id': 'cpo-DE*CPO*E1-1', 'is-stoppable': true });
    const fwd = cpoCalls('session-start')[0]!;
    assert.equal(fwd.payload['connector-id'], 'DE*CPO*E1');
    assert.equal(fwd.apiKey, 'hub-at-cpo');
    assert.deepEqual(fwd.payload.user, evco(ANNA), 'the user token is not passed on to the CPO');
    const s = await stop(emp, 'de*cpo*e1');
    assert.equal(s.body.result.code, 0);
    const fwdStop = cpoCalls('session-stop').at(-1)!;
    assert.equal(fwdStop.payload['session-id'], 'cpo-DE*CPO*E1-1');
    assert.equal(fwdStop.payload['connector-id'], 'DE*CPO*E1');
  });

  it('should relay the CPO\'s own result code', async () => {
    behaviour.set('DE*CPO*E2', () => ({ result: { code: 321, message: 'No EV connected to EVSE.' } }));
    const r = await start(emp, 'DE*CPO*E2');
    assert.equal(r.body.result.code, 321);
    behaviour.set('DE*CPO*E2', () => ({ result: { code: 230, message: 'your request is broken' } }));
    const r2 = await start(emp, 'DE*CPO*E2');
    assert.equal(r2.body.result.code, 300, 'a CPO rejecting the hub\'s request is an operator error for the sender');
    assert.match(r2.body.result.message, /230/);
    behaviour.delete('DE*CPO*E2');
  });

  it('should answer 302 when the CPO does not answer within --upstream-timeout', async () => {
    behaviour.set('DE*CPO*E3', () => ({ delayMs: 1500, body: { result: { code: 0, message: 'late' } } }));
    const t0 = Date.now();
    const r = await start(emp, 'DE*CPO*E3');
    assert.equal(r.body.result.code, 302);
    assert.equal(r.status, 503);
    assert.ok(r.headers.get('retry-after'));
    assert.ok(Date.now() - t0 < 1400, 'the hub answered at its deadline, not the CPO\'s');
    behaviour.delete('DE*CPO*E3');
  });

  it('should answer 300 when the CPO cannot be reached or has no endpoint', async () => {
    const down = await start(emp, 'DE*DWN*E1');
    assert.equal(down.body.result.code, 300);
    const none = await start(emp, 'DE*NON*E1');
    assert.equal(none.body.result.code, 300);
    assert.match(none.body.result.message, /no endpoint/);
  });

  it('should answer 182 to a foreign stop as if the session were unknown, and let the EMP owning the EVCO ID stop it', async () => {
    assert.equal((await start(oem, 'DE*CPO*E4', evco(ANNA))).body.result.code, 0);
    const before = cpoCalls('session-stop').length;
    const foreign = await stop(otherEmp, 'DE*CPO*E4');
    assert.equal(foreign.body.result.code, 182);
    assert.equal(foreign.body.result.message, (await stop(otherEmp, 'DE*CPO*E5')).body.result.message, 'a foreign session reads exactly like no session');
    assert.equal((await stop(oem, 'DE*CPO*E4', { 'session-id': 'nope' })).body.result.code, 182, 'a wrong session id');
    const stranger = await send(hub.url, cpo.apiKey, { 'session-stop': { user: evco(ANNA), 'connector-id': 'DE*CPO*E4' } });
    assert.equal(stranger.status, 403, 'a CPO may not send session-stop at all');
    assert.equal(cpoCalls('session-stop').length, before, 'the CPO was not bothered');
    // The OEM started it for ANNA; the EMP owns ANNA's contract (prefix DEEMP), so it may stop it too.
    assert.equal((await stop(emp, 'DE*CPO*E4')).body.result.code, 0);
    assert.equal((await stop(emp, 'DE*CPO*E4')).body.result.code, 182, 'a stopped session is gone');
    assert.equal((await stop(emp, 'DE*CPO*E5')).body.result.code, 182, 'no session on that EVSE');
  });

  it('should answer 188 for a session the CPO did not mark stoppable', async () => {
    behaviour.set('DE*CPO*E5', () => ({ result: { code: 0, message: 'Success.' } }));
    assert.equal((await start(emp, 'DE*CPO*E5')).body.result.code, 0);
    behaviour.delete('DE*CPO*E5');
    assert.equal((await stop(emp, 'DE*CPO*E5')).body.result.code, 188);
  });

  it('should record a reservation window, show it, and refuse a second reservation (323) or a foreign start (320) without the CPO', async () => {
    const reserve = (p: TestPartner, connector: string, who: string) => send(hub.url, p.apiKey, { 'reservation-start': { 'connector-id': connector, identifier: [{ 'evco-id': who, rfid: '12345678ABCDEF' }] } });
    const r = await reserve(emp, 'DE*CPO*E6', ANNA);
    assert.equal(r.body.result.code, 0);
    assert.match(r.body['reservation-start'].end, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const connector = await hubConnectorId(hub, 'DE*CPO*E6');
    const box = { 'min-lat': 52.4, 'max-lat': 52.6, 'min-long': 13.3, 'max-long': 13.5 };
    const mine = await send(hub.url, emp.apiKey, { 'station-get-surface': { ...box, user: evco(ANNA) } });
    const shown = mine.body.stations.find((s: any) => s['connector-reservations']?.[String(connector)])?.['connector-reservations'][String(connector)];
    assert.deepEqual(shown, { end: r.body['reservation-start'].end, own: true });
    const theirs = await send(hub.url, oem.apiKey, { 'station-get-surface': { ...box, user: evco(OTTO) } });
    assert.equal(theirs.body.stations.find((s: any) => s['connector-reservations'])['connector-reservations'][String(connector)].own, false);

    const calls = cpoMock.received.length;
    assert.equal((await reserve(oem, String(connector), OTTO)).body.result.code, 323);
    assert.equal((await reserve(emp, 'DE*CPO*E7', ANNA)).body.result.code, 194, 'ANNA already holds a reservation');
    assert.equal((await start(oem, 'DE*CPO*E6', evco(OTTO))).body.result.code, 320);
    assert.equal((await start(emp, 'DE*CPO*E6', evco(BERT))).body.result.code, 320, 'a user not named in the reservation');
    assert.equal(cpoMock.received.length, calls, 'none of these reached the CPO');
  });

  it('should cancel a reservation only for its holder (189 otherwise) and forward the stop with the EVSE ID', async () => {
    const cancel = (p: TestPartner, type: string, id: string) => send(hub.url, p.apiKey, { 'reservation-stop': { 'identifier-type': type, identifier: id } });
    assert.equal((await cancel(oem, 'evco-id', ANNA)).body.result.code, 189);
    assert.equal((await cancel(emp, 'evco-id', BERT)).body.result.code, 189);
    const ok = await cancel(emp, 'rfid', '12345678abcdef');
    assert.equal(ok.body.result.code, 0);
    const fwd = cpoCalls('reservation-stop').at(-1)!;
    assert.equal(fwd.payload['connector-id'], 'DE*CPO*E6');
    assert.equal((await cancel(emp, 'evco-id', ANNA)).body.result.code, 189, 'already cancelled');
    // The EVSE is free again: anyone may start there.
    assert.equal((await start(oem, 'DE*CPO*E6', evco(OTTO))).body.result.code, 0);
  });

  it('should let a user named in the reservation start on the reserved EVSE', async () => {
    const r = await send(hub.url, oem.apiKey, { 'reservation-start': { 'connector-id': 'DE*CPO*E7', identifier: [{ 'evco-id': OTTO }] } });
    assert.equal(r.body.result.code, 0);
    assert.equal((await start(oem, 'DE*CPO*E7', evco(OTTO))).body.result.code, 0);
    // Starting consumed the reservation.
    const again = await send(hub.url, oem.apiKey, { 'reservation-stop': { 'identifier-type': 'evco-id', identifier: OTTO } });
    assert.equal(again.body.result.code, 189);
  });
});
