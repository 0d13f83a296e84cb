/**
 * RFID authorization end to end (shared/protocol.md, "Authorization (RFID)"): a real hub process,
 * the real `oioi account` CLI on its database, and mock EMPs/CPOs as real HTTP endpoints.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { oioi } from '../support/cli.js';
import { send, startMockPartner, type MockPartner, type Received } from '../support/http.js';
import { openStorage } from '../../src/storage/index.js';
import { cardAuthorityAt } from '../../src/hub/cdrs/card-authority.js';
import { testEngines } from '../support/engines.js';

const ok = { result: { code: 0, message: 'Success.' } };
const unknown = { result: { code: 191, message: 'EVCO ID not found.' } };
const verify = (rfid: string) => ({ 'rfid-verify': { rfid } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the hub's partner cache knows a freshly added key. */
async function ready(hub: HubProcess, ...partners: TestPartner[]): Promise<void> {
  for (const p of partners) {
    for (let i = 0; i < 80 && (await send(hub.url, p.apiKey, { 'api-minimum-version-number': {} })).status === 401; i++) await sleep(25);
  }
}

/** The authorization the hub recorded for a UID (online EMPs' answers only), read from its database. */
async function authorizedBy(hub: HubProcess, uid: string) {
  const storage = await openStorage(hub.db);
  try { return await storage.authorization.authorizedBy(uid); } finally { await storage.close(); }
}

/** Whom the CDR of a session of this card starting now would go to, read from the hub's database as the CDR slice does. */
async function authorityOf(hub: HubProcess, uid: string) {
  const storage = await openStorage(hub.db);
  try { return cardAuthorityAt(await storage.authorization.cardHistory(uid), Date.now()); } finally { await storage.close(); }
}

function verifiesFor(mock: MockPartner, uid: string): Received[] {
  return mock.received.filter((r) => r.call === 'rfid-verify' && r.payload.rfid === uid);
}

for (const engine of testEngines()) describe(`hub rfid: own accounts, whitelists, order of sources, whitelist push (${engine})`, () => {
  let hub: HubProcess;
  let cpo: TestPartner;
  let emp1: TestPartner;
  let emp2: TestPartner;
  let offlineCpo: TestPartner;
  let cpoMock: MockPartner;
  let onlineMock: MockPartner;
  before(async () => {
    hub = await startHubProcess({ engine, args: ['--upstream-timeout', '2000'] });
    cpoMock = await startMockPartner();
    // Knows every card that starts with 'E'; refuses the rest.
    onlineMock = await startMockPartner((r) => (String(r.payload?.rfid).startsWith('E') ? { ...ok, 'evco-id': 'DE*ONL*000000001*X' } : unknown));
    [cpo, emp1, emp2, offlineCpo] = await Promise.all([
      hub.addPartner({ name: 'CPO', roles: 'cpo' }),
      hub.addPartner({ name: 'EMP one', roles: 'emp' }),
      hub.addPartner({ name: 'OEM two', roles: 'oem' }),
      hub.addPartner({ name: 'Offline CPO', roles: 'cpo', endpoint: cpoMock.url, endpointKey: 'cpo-side-key', rfidAuth: 'offline' }),
      hub.addPartner({ name: 'Online EMP', roles: 'emp', endpoint: onlineMock.url, endpointKey: 'emp-side-key', rfidAuth: 'online' }),
    ]);
    await ready(hub, cpo, emp1, emp2, offlineCpo);
  });
  after(async () => {
    await hub.stop();
    await hub.cleanup();
    await Promise.all([cpoMock.close(), onlineMock.close()]);
  });

  it('should answer own accounts: active 0 with the EVCO ID, locked 192, no payment 193', async () => {
    const add = (args: string[]) => oioi(['account', 'add', '--db', hub.db, '--json', ...args]);
    const active = await add(['--evco-id', 'de-8ps-000000001-a', '--rfid', 'a1a1a1,A1A1A1A2']);
    assert.equal(active.code, 0, active.stderr);
    assert.equal(JSON.parse(active.stdout).evcoId, 'DE*8PS*000000001*A');
    assert.equal((await add(['--evco-id', 'DE*8PS*000000002*A', '--rfid', 'A2A2A2A2', '--locked'])).code, 0);
    assert.equal((await add(['--evco-id', 'DE*8PS*000000003*A', '--rfid', 'A3A3A3A3', '--no-payment'])).code, 0);

    const r = await send(hub.url, cpo.apiKey, verify('a1a1a1')); // lower case, short: normalized to 00A1A1A1
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { result: { code: 0, message: 'Success.' }, 'evco-id': 'DE*8PS*000000001*A' });
    assert.equal((await send(hub.url, cpo.apiKey, verify('A2A2A2A2'))).body.result.code, 192);
    assert.equal((await send(hub.url, cpo.apiKey, verify('A3A3A3A3'))).body.result.code, 193);
    assert.deepEqual(await authorityOf(hub, '00A1A1A1'), { via: 'hub-account', evcoId: 'DE*8PS*000000001*A' });
    assert.equal(await authorizedBy(hub, '00A1A1A1'), undefined, 'an account\'s card is verified without a write');

    const unlock = await oioi(['account', 'unlock', '--db', hub.db, '--evco-id', 'DE*8PS*000000002*A']);
    assert.equal(unlock.code, 0, unlock.stderr);
    assert.equal((await send(hub.url, cpo.apiKey, verify('A2A2A2A2'))).body.result.code, 0);
  });

  it('should refuse a card that already belongs to another account, and warn on a wrong check digit', async () => {
    const taken = await oioi(['account', 'add', '--db', hub.db, '--evco-id', 'DE*8PS*000000009*A', '--rfid', 'A1A1A1A2']);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /A1A1A1A2 already belongs to account DE\*8PS\*000000001\*A/);
    const wrong = await oioi(['account', 'add', '--db', hub.db, '--evco-id', 'DE*8PS*000000005*0', '--rfid', 'A5A5A5A5']);
    assert.equal(wrong.code, 0, wrong.stderr);
    assert.match(wrong.stderr, /warning: .*check digit/);
    const listed = JSON.parse((await oioi(['account', 'list', '--db', hub.db, '--json'])).stdout) as Array<{ evcoId: string }>;
    assert.ok(listed.some((a) => a.evcoId === 'DE*8PS*000000005*0'));
    assert.ok(!listed.some((a) => a.evcoId === 'DE*8PS*000000009*A'));
  });

  it('should replace a whitelist whole, count processed as the UIDs new to it, and verify from it', async () => {
    const post = (rfids: string[]) => send(hub.url, emp1.apiKey, { 'rfid-post': { rfids, 'partner-identifier': emp1.partnerIdentifier } });
    const first = await post(['B1B1B1B1', 'b2b2b2b2', 'B3B3B3B3']);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { result: { code: 0, message: 'Success.' }, rfid: { processed: 3 } });
    const second = await post(['B2B2B2B2', 'B3B3B3B3', 'B4B4B4B4', 'B4B4B4B4']);
    assert.equal(second.body.rfid.processed, 1);
    const hit = await send(hub.url, cpo.apiKey, verify('B4B4B4B4'));
    assert.deepEqual(hit.body, { result: { code: 0, message: 'Success.' } }, 'rfid-post gives no EVCO ID, so none is answered');
    assert.equal((await send(hub.url, cpo.apiKey, verify('B1B1B1B1'))).body.result.code, 191, 'dropped from the list');
    assert.deepEqual(await authorityOf(hub, 'B4B4B4B4'), { via: 'whitelist', partnerId: emp1.id });
    assert.equal(await authorizedBy(hub, 'B4B4B4B4'), undefined, 'a listed card is verified without a write');
  });

  it('should refuse (211) a partner replacing a whitelist under another partner\'s identifier', async () => {
    const r = await send(hub.url, emp2.apiKey, { 'rfid-post': { rfids: [], 'partner-identifier': emp1.partnerIdentifier } });
    assert.equal(r.status, 403);
    assert.equal(r.body.result.code, 211);
    assert.equal((await send(hub.url, cpo.apiKey, verify('B4B4B4B4'))).body.result.code, 0, 'EMP one\'s list is untouched');
  });

  it('should ask sources in order: own accounts, then whitelists, then online EMPs', async () => {
    // E0E0E0E1 is on a whitelist and known online: the whitelist answers, the online EMP is not asked.
    await send(hub.url, emp2.apiKey, { 'rfid-post': { rfids: ['E0E0E0E1', 'A1A1A1A2'], 'partner-identifier': emp2.partnerIdentifier } });
    assert.deepEqual((await send(hub.url, cpo.apiKey, verify('E0E0E0E1'))).body, { result: { code: 0, message: 'Success.' } });
    assert.equal(verifiesFor(onlineMock, 'E0E0E0E1').length, 0);
    assert.deepEqual(await authorityOf(hub, 'E0E0E0E1'), { via: 'whitelist', partnerId: emp2.id });
    // A1A1A1A2 is an account's card and on a whitelist: the account answers, with its EVCO ID.
    assert.equal((await send(hub.url, cpo.apiKey, verify('A1A1A1A2'))).body['evco-id'], 'DE*8PS*000000001*A');
    // E0E0E0E2 is only known online.
    assert.deepEqual((await send(hub.url, cpo.apiKey, verify('E0E0E0E2'))).body, { result: { code: 0, message: 'Success.' }, 'evco-id': 'DE*ONL*000000001*X' });
    const asked = verifiesFor(onlineMock, 'E0E0E0E2');
    assert.equal(asked.length, 1);
    assert.equal(asked[0]!.apiKey, 'emp-side-key');
    // Nobody knows C0C0C0C0.
    assert.equal((await send(hub.url, cpo.apiKey, verify('C0C0C0C0'))).body.result.code, 191);
  });

  it('should push the merged whitelist to an offline-mode CPO under that CPO\'s partner identifier', async () => {
    await send(hub.url, emp1.apiKey, { 'rfid-post': { rfids: ['B2B2B2B2', 'D1D1D1D1'], 'partner-identifier': emp1.partnerIdentifier } });
    // EMP one: B2, D1; OEM two: E0E0E0E1, A1A1A1A2; active accounts: 00A1A1A1, A1A1A1A2, A2A2A2A2 (unlocked), A5A5A5A5.
    const expected = ['00A1A1A1', 'A1A1A1A2', 'A2A2A2A2', 'A5A5A5A5', 'B2B2B2B2', 'D1D1D1D1', 'E0E0E0E1'];
    const got = await cpoMock.waitFor('rfid-post', 10_000, (r) => JSON.stringify(r.payload.rfids) === JSON.stringify(expected));
    assert.equal(got.payload['partner-identifier'], offlineCpo.partnerIdentifier);
    assert.equal(got.apiKey, 'cpo-side-key');
  });

  it('should supersede a whitelist push that is still undelivered when a newer list is made', async () => {
    // The CPO refuses every list holding F1 and takes any other: the F1 push can only end superseded,
    // however late this test gets to post F2 (a retry before it would otherwise deliver F1 on a slow machine).
    const down = { status: 503, body: { result: { code: 100, message: 'down' } } };
    cpoMock.respond((r) => (r.payload?.rfids?.includes('F1F1F1F1') ? down : ok));
    const post = (rfids: string[]) => send(hub.url, emp1.apiKey, { 'rfid-post': { rfids, 'partner-identifier': emp1.partnerIdentifier } });
    await post(['F1F1F1F1']);
    await cpoMock.waitFor('rfid-post', 5000, (r) => r.payload.rfids.includes('F1F1F1F1'));
    await post(['F2F2F2F2']);
    const latest = await cpoMock.waitFor('rfid-post', 10_000, (r) => r.payload.rfids.includes('F2F2F2F2'));
    assert.ok(!latest.payload.rfids.includes('F1F1F1F1'));
    await sleep(1500); // the failed push would be retried by now if it were still open
    const sinceNewer = cpoMock.received.slice(cpoMock.received.indexOf(latest));
    assert.ok(!sinceNewer.some((r) => r.payload.rfids?.includes('F1F1F1F1')), 'the stale list is never sent after the newer one');
    const rows = (await hub.cli(['outbox', 'list', '--json', '--partner', String(offlineCpo.id)])) as Array<{ state: string; subject: string }>;
    assert.ok(rows.some((r) => r.subject === 'whitelist' && r.state === 'superseded'));
    assert.ok(!rows.some((r) => r.state === 'pending' || r.state === 'failing'));
    cpoMock.respond(() => ok);
  });

  it('should send a CPO the merged whitelist as soon as it is added in offline mode, not at the next change', async () => {
    await send(hub.url, emp1.apiKey, { 'rfid-post': { rfids: ['F3F3F3F3'], 'partner-identifier': emp1.partnerIdentifier } });
    const lateMock = await startMockPartner();
    try {
      const late = await hub.addPartner({ name: 'Late offline CPO', roles: 'cpo', endpoint: lateMock.url, endpointKey: 'late-key', rfidAuth: 'offline' });
      const got = await lateMock.waitFor('rfid-post', 10_000, (r) => r.payload.rfids.includes('F3F3F3F3'));
      assert.equal(got.payload['partner-identifier'], late.partnerIdentifier);
      assert.ok(got.payload.rfids.includes('E0E0E0E1'), 'the other lists are merged in');
    } finally {
      await lateMock.close();
    }
  });

  it('should send a CPO the merged whitelist when `oioi partner update` switches it to offline mode', async () => {
    const switchMock = await startMockPartner();
    try {
      const cpo2 = await hub.addPartner({ name: 'Switching CPO', roles: 'cpo', endpoint: switchMock.url, endpointKey: 'switch-key', rfidAuth: 'none' });
      await sleep(1500);
      assert.ok(!switchMock.received.some((r) => r.call === 'rfid-post'), 'no push while it is not in offline mode');
      await hub.cli(['partner', 'update', '--id', String(cpo2.id), '--rfid-auth', 'offline', '--json']);
      const got = await switchMock.waitFor('rfid-post', 10_000, (r) => r.payload.rfids.includes('E0E0E0E1'));
      assert.equal(got.payload['partner-identifier'], cpo2.partnerIdentifier);
    } finally {
      await switchMock.close();
    }
  });
});

for (const engine of testEngines()) describe(`hub rfid: online EMPs asked in parallel under a deadline (${engine})`, () => {
  let hub: HubProcess;
  let cpo: TestPartner;
  let fast: MockPartner;
  let slow: MockPartner;
  let hanging: MockPartner;
  let notOnline: MockPartner;
  let fastEmp: TestPartner;
  before(async () => {
    hub = await startHubProcess({ engine, args: ['--upstream-timeout', '500'] });
    fast = await startMockPartner((r) => (r.payload.rfid === '11111111' ? { body: { ...ok, 'evco-id': 'DE*FST*000000001*X' }, delayMs: 20 } : unknown));
    slow = await startMockPartner((r) =>
      r.payload.rfid === '11111111' ? { body: { ...ok, 'evco-id': 'DE*SLO*000000001*X' }, delayMs: 450 }
      : r.payload.rfid === '33333333' ? { body: { result: { code: 192, message: 'EVCO ID locked.' } }, delayMs: 100 }
      : { body: unknown, delayMs: 100 });
    hanging = await startMockPartner((r) => (r.payload.rfid === '44444444' ? { body: unknown, delayMs: 5000 } : unknown));
    notOnline = await startMockPartner(() => ({ ...ok, 'evco-id': 'DE*NOT*000000001*X' }));
    let others: TestPartner[];
    [cpo, fastEmp, ...others] = await Promise.all([
      hub.addPartner({ name: 'CPO', roles: 'cpo' }),
      hub.addPartner({ name: 'Fast EMP', roles: 'emp', endpoint: fast.url, endpointKey: 'k1', rfidAuth: 'online' }),
      hub.addPartner({ name: 'Slow OEM', roles: 'oem', endpoint: slow.url, endpointKey: 'k2', rfidAuth: 'online' }),
      hub.addPartner({ name: 'Hanging EMP', roles: 'emp', endpoint: hanging.url, endpointKey: 'k3', rfidAuth: 'online' }),
      hub.addPartner({ name: 'Offline EMP', roles: 'emp', endpoint: notOnline.url, endpointKey: 'k4', rfidAuth: 'offline' }),
    ]);
    await ready(hub, cpo, fastEmp, ...others);
    await send(hub.url, cpo.apiKey, verify('99999999')); // opens the keep-alive connections
  });
  after(async () => {
    await hub.stop();
    await hub.cleanup();
    await Promise.all([fast, slow, hanging, notOnline].map((m) => m.close()));
  });

  async function timed(uid: string) {
    const t0 = performance.now();
    const r = await send(hub.url, cpo.apiKey, verify(uid));
    return { body: r.body, ms: performance.now() - t0 };
  }

  it('should answer with the first positive EMP without waiting for the slower ones', async () => {
    const { body, ms } = await timed('11111111');
    assert.deepEqual(body, { result: { code: 0, message: 'Success.' }, 'evco-id': 'DE*FST*000000001*X' });
    assert.ok(ms < 350, `answered after ${ms.toFixed(0)} ms; the slow EMP takes 450`);
    for (const m of [fast, slow, hanging]) assert.equal(verifiesFor(m, '11111111').length, 1, 'every online EMP is asked');
    assert.deepEqual(await authorizedBy(hub, '11111111'), { partnerId: fastEmp.id, evcoId: 'DE*FST*000000001*X' });
  });

  it('should answer 191 as soon as every online EMP has refused', async () => {
    const { body, ms } = await timed('22222222');
    assert.equal(body.result.code, 191);
    assert.ok(ms < 450, `answered after ${ms.toFixed(0)} ms, before the 500 ms deadline`);
    assert.equal(await authorizedBy(hub, '22222222'), undefined);
  });

  it('should relay a locked answer (192) of an online EMP when nobody authorizes the card', async () => {
    assert.equal((await timed('33333333')).body.result.code, 192);
  });

  it('should answer 191 at the upstream deadline when an EMP hangs', async () => {
    const { body, ms } = await timed('44444444');
    assert.equal(body.result.code, 191);
    assert.ok(ms >= 450 && ms < 1500, `answered after ${ms.toFixed(0)} ms with a 500 ms deadline`);
  });

  it('should not ask EMPs that are not in online mode', () => {
    assert.equal(notOnline.received.filter((r) => r.call === 'rfid-verify').length, 0);
  });
});
