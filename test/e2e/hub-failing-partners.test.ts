/**
 * Partners that misbehave (test/support/evil-partner.ts) against a real hub process: every call
 * the hub makes synchronously (session-start/-stop and reservation-start/-stop to the CPO,
 * rfid-verify to online EMPs) is answered to the hub's own caller within `--upstream-timeout`
 * plus a small margin, with the code docs/reliability.md promises; outbox deliveries (CDRs,
 * whitelists) count every misbehaviour as a failure and retry it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { misbehaviours, startEvilPartner, type EvilPartner, type Misbehaviour } from '../support/evil-partner.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';

const TIMEOUT = 1000;
/** Time the hub may take beyond its deadline (loaded 2-core machine, HTTP to and from the hub). */
const MARGIN = 1000;
const evco = (id: string) => ({ 'identifier-type': 'evco-id', identifier: id });
const ANNA = 'DE*EMP*000001*2';
const BERT = 'DE*EMP*000002*0';
const CARL = 'DE*EMP*000003*9';
/** Misbehaviours that make the hub wait for its deadline (302); all others fail fast (300). */
const silent = new Set<Misbehaviour>(['hang', 'trickle', 'never-close']);

describe('hub with failing partners', () => {
  let hub: HubProcess;
  let cpoEvil: EvilPartner;
  let rfidEvil: EvilPartner;
  let cdrEvil: EvilPartner;
  let goodEmp: MockPartner;
  let cpo: TestPartner;
  let emp: TestPartner;
  let cdrEmp: TestPartner;

  before(async () => {
    hub = await startHubProcess({ args: ['--upstream-timeout', String(TIMEOUT), '--outbox-min-delay', '20', '--outbox-max-delay', '40'] });
    [cpoEvil, rfidEvil, cdrEvil] = await Promise.all([startEvilPartner(), startEvilPartner(), startEvilPartner()]);
    goodEmp = await startMockPartner((r) => (r.payload?.rfid === '0A0A0A0A' ? { result: { code: 0, message: 'Success.' }, 'evco-id': 'DE*GOD*000000001*X' } : { result: { code: 191, message: 'unknown' } }));
    let good: TestPartner;
    let online: TestPartner;
    [cpo, emp, online, good, cdrEmp] = await Promise.all([
      hub.addPartner({ name: 'CPO', roles: 'cpo', endpoint: cpoEvil.url, endpointKey: 'hub-at-cpo', rfidAuth: 'offline' }),
      hub.addPartner({ name: 'EMP', roles: 'emp', evcoPrefix: 'DEEMP' }),
      hub.addPartner({ name: 'Evil online EMP', roles: 'emp', endpoint: rfidEvil.url, endpointKey: 'k1', rfidAuth: 'online', evcoPrefix: 'DEEVL', extra: ['--no-cdrs'] }),
      hub.addPartner({ name: 'Good online EMP', roles: 'emp', endpoint: goodEmp.url, endpointKey: 'k2', rfidAuth: 'online', evcoPrefix: 'DEGOD', extra: ['--no-cdrs'] }),
      hub.addPartner({ name: 'CDR EMP', roles: 'emp', endpoint: cdrEvil.url, endpointKey: 'k3', evcoPrefix: 'DECDR' }),
    ]);
    await untilKnown(hub.url, [cpo.apiKey, emp.apiKey, online.apiKey, good.apiKey, cdrEmp.apiKey]);
    const r = await send(hub.url, cpo.apiKey, aStationPost(cpo.partnerIdentifier, 'S1', ['DE*CPO*E1', 'DE*CPO*E2', 'DE*CPO*E3', 'DE*CPO*E4']));
    assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    // While the CPO behaves: a stoppable session on E1 and a reservation on E2, to stop later.
    cpoEvil.behave(({ call }) => ({
      ok: call === 'session-start' ? { result: { code: 0, message: 'Success.' }, 'session-start': { 'session-id': 'cpo-1', 'is-stoppable': true } }
        : call === 'reservation-start' ? { result: { code: 0, message: 'Success.' }, 'reservation-start': { end: new Date(Date.now() + 3600_000).toISOString() } }
        : { result: { code: 0, message: 'Success.' } },
    }));
    // An offline-mode CPO is sent the merged whitelist as soon as it is added: let that push land
    // while the CPO behaves, so no outbox retry of it mixes with the calls counted below.
    await eventually(async () => cpoEvil.received.some((r) => r.call === 'rfid-post' && r.behaviour === 'ok'), 10_000, 'initial whitelist push delivered');
    assert.equal((await send(hub.url, emp.apiKey, { 'session-start': { user: evco(ANNA), 'connector-id': 'DE*CPO*E1' } })).body.result.code, 0);
    assert.equal((await send(hub.url, emp.apiKey, { 'reservation-start': { 'connector-id': 'DE*CPO*E2', identifier: [{ 'evco-id': BERT }] } })).body.result.code, 0);
  });
  after(async () => {
    await hub.stop();
    await hub.cleanup();
    await Promise.all([cpoEvil, rfidEvil, cdrEvil, goodEmp].map((p) => p.close()));
  });

  async function timed(key: string, body: unknown) {
    const t0 = performance.now();
    const r = await send(hub.url, key, body);
    return { ...r, ms: performance.now() - t0 };
  }

  const calls = {
    'session-start': () => ({ 'session-start': { user: evco(CARL), 'connector-id': 'DE*CPO*E3' } }),
    'session-stop': () => ({ 'session-stop': { user: evco(ANNA), 'connector-id': 'DE*CPO*E1' } }),
    'reservation-start': () => ({ 'reservation-start': { 'connector-id': 'DE*CPO*E4', identifier: [{ 'evco-id': CARL }] } }),
    'reservation-stop': () => ({ 'reservation-stop': { 'identifier-type': 'evco-id', identifier: BERT } }),
  };

  for (const mode of misbehaviours) {
    it(`should answer remote calls within the deadline when the CPO does "${mode}"`, async () => {
      cpoEvil.behave(mode);
      const seen = cpoEvil.received.length;
      const results = await Promise.all(Object.entries(calls).map(async ([call, body]) => ({ call, ...(await timed(emp.apiKey, body())) })));
      for (const r of results) {
        const want = silent.has(mode) ? 302 : 300;
        assert.equal(r.body.result.code, want, `${r.call}: ${JSON.stringify(r.body)}`);
        assert.equal(r.status, 503, `${r.call}: a partner that is down is a 503`);
        assert.ok(Number(r.headers.get('retry-after')) >= 1, `${r.call}: 503 carries Retry-After`);
        assert.ok(r.ms < TIMEOUT + MARGIN, `${r.call} answered after ${r.ms.toFixed(0)} ms (deadline ${TIMEOUT})`);
        if (!silent.has(mode)) assert.ok(r.ms < TIMEOUT, `${r.call}: a fast failure is answered at once (${r.ms.toFixed(0)} ms)`);
      }
      assert.equal(cpoEvil.received.length - seen, 4, 'each call reached the CPO exactly once: no retries of remote commands');
    });
  }

  it('should have recorded nothing from the failed calls: the session and the reservation are still there', async () => {
    cpoEvil.behave(({ call }) => ({ ok: call === 'session-stop' || call === 'reservation-stop' ? { result: { code: 0, message: 'Success.' } } : { result: { code: 310, message: 'busy' } } }));
    assert.equal((await send(hub.url, emp.apiKey, calls['session-stop']())).body.result.code, 0, 'the session survived every failed stop');
    assert.equal((await send(hub.url, emp.apiKey, calls['reservation-stop']())).body.result.code, 0, 'the reservation survived every failed stop');
    assert.equal((await send(hub.url, emp.apiKey, calls['session-start']())).body.result.code, 310, 'no session was recorded on E3: the CPO is asked again');
  });

  it('should drop its side of hung connections once it gives up', async () => {
    cpoEvil.behave('hang');
    const answers = Promise.all([0, 1, 2].map(() => timed(emp.apiKey, calls['session-start']())));
    await eventually(async () => cpoEvil.stuckConnections() === 3, 3000, 'three requests hanging at the CPO');
    await answers;
    await eventually(async () => cpoEvil.stuckConnections() === 0, 3000, 'hung connections closed by the hub');
  });

  for (const mode of misbehaviours) {
    it(`should answer rfid-verify within the deadline when an online EMP does "${mode}", and let a healthy EMP win`, async () => {
      rfidEvil.behave(mode);
      const verify = (rfid: string) => timed(cpo.apiKey, { 'rfid-verify': { rfid } });
      const [unknown, known] = await Promise.all([verify('0B0B0B0B'), verify('0A0A0A0A')]);
      assert.equal(unknown.status, 200);
      assert.equal(unknown.body.result.code, 191, 'nobody vouched for the card');
      assert.ok(unknown.ms < TIMEOUT + MARGIN, `answered after ${unknown.ms.toFixed(0)} ms`);
      assert.equal(known.body.result.code, 0, 'the healthy EMP is not held back by the failing one');
      assert.equal(known.body['evco-id'], 'DE*GOD*000000001*X');
      assert.ok(known.ms < TIMEOUT, `the healthy EMP's answer came after ${known.ms.toFixed(0)} ms`);
    });
  }

  it('should retry CDRs and whitelists through every misbehaviour, holding the partner\'s queue, and deliver them only to a healthy partner', async () => {
    // Each outbox call meets every misbehaviour once, in turn, and then a healthy partner.
    const script = (evil: EvilPartner, call: string, from = evil.received.length) => ({ call: c, index }: { call: string; index: number }) => {
      if (c !== call) return 'ok' as const;
      const n = evil.received.slice(from, index).filter((r) => r.call === call).length;
      return misbehaviours[n] ?? ('ok' as const);
    };
    cdrEvil.behave(script(cdrEvil, 'session-post'));
    cpoEvil.behave(script(cpoEvil, 'rfid-post'));
    const cpoBefore = cpoEvil.received.length;
    const cdrs = ['CDR-1', 'CDR-2', 'CDR-3'];
    for (const id of cdrs) {
      const r = await timed(cpo.apiKey, aCdr(cpo.partnerIdentifier, id, 'DE*CPO*E3', evco('DE*CDR*000001*5')));
      assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
      assert.ok(r.ms < TIMEOUT, 'the CPO is answered at once: forwarding happens later');
    }
    assert.equal((await send(hub.url, emp.apiKey, { 'rfid-post': { 'partner-identifier': emp.partnerIdentifier, rfids: ['0C0C0C0C'] } })).body.result.code, 0);
    const deliveredCdrs = () => cdrEvil.received.filter((r) => r.call === 'session-post' && r.behaviour === 'ok');
    await eventually(async () => deliveredCdrs().length >= cdrs.length, 30_000, 'CDRs delivered');
    await eventually(async () => cpoEvil.received.slice(cpoBefore).some((r) => r.call === 'rfid-post' && r.behaviour === 'ok'), 30_000, 'whitelist delivered');
    const attempts = cdrEvil.received.filter((r) => r.call === 'session-post');
    assert.deepEqual(attempts.slice(0, misbehaviours.length).map((r) => r.payload['session-id']), misbehaviours.map(() => 'CDR-1'), 'the first CDR is retried, the others wait behind it');
    // The misbehaviours are the partner's own failures: the queue waits behind CDR-1 until it gets
    // through; then the other sessions follow, side by side (no order is promised across sessions).
    const delivered = deliveredCdrs().map((r) => r.payload['session-id']);
    assert.equal(delivered[0], 'CDR-1');
    assert.deepEqual([...delivered].sort(), cdrs, 'delivered once each');
    const rows = (await hub.cli(['outbox', 'list', '--json', '--partner', String(cdrEmp.id)])) as Array<{ state: string; attempts: number; subject: string | null }>;
    assert.equal(rows.filter((r) => r.state === 'delivered').length, cdrs.length);
    const first = rows.find((r) => r.subject === 'CDR-1')!;
    assert.equal(first.attempts, misbehaviours.length + 1, 'every misbehaviour counted as a failed attempt, then one delivery');
    const pushes = cpoEvil.received.slice(cpoBefore).filter((r) => r.call === 'rfid-post');
    assert.deepEqual(pushes.map((r) => r.behaviour), [...misbehaviours, 'ok']);
  });
});
