/**
 * CDRs end to end: session-post stored idempotently, routed to the right EMP/OEM and fleets through
 * the durable outbox, visible with `oioi outbox list`, and nothing acknowledged lost to SIGKILL
 * (shared/protocol.md, "CDRs" and "Durability").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { oioi } from '../support/cli.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';
import { testEngines } from '../support/engines.js';

const evco = (id: string) => ({ 'identifier-type': 'evco-id', identifier: id });
const rfid = (id: string) => ({ 'identifier-type': 'rfid', identifier: id });
const ANNA = 'DE*EMP*000001*2';
const up = { result: { code: 0, message: 'Success.' } };
const down = { status: 503, body: { result: { code: 100, message: 'maintenance' } } };

for (const engine of testEngines()) describe(`hub CDRs and outbox (${engine})`, () => {
  let hub: HubProcess;
  const mocks: Record<'cpo' | 'emp' | 'emp2' | 'oem' | 'fleet', MockPartner> = {} as never;
  let cpo: TestPartner;
  let cpo2: TestPartner;
  let emp: TestPartner;
  let emp2: TestPartner;
  let oem: TestPartner;
  let fleet: TestPartner;
  let noEndpoint: TestPartner;
  const cdrsTo = (m: MockPartner, sessionId: string) => m.received.filter((r) => r.call === 'session-post' && r.payload['session-id'] === sessionId);
  type Row = { id: number; state: string; partner: number; subject: string; attempts: number; lastError: string | null; call: string };
  /** `oioi outbox list --json`: what the operator sees (a CLI process per call, so used sparingly). */
  const outbox = async (extra: string[] = []) => (await hub.cli(['outbox', 'list', '--json', ...extra])) as Row[];
  /** The same rows read directly (read-only), for polling. */
  const outboxNow = (): Promise<Row[]> =>
    hub.query<Row>('SELECT id, state, partner_id AS partner, subject, attempts, last_error AS "lastError", call FROM outbox ORDER BY id');

  before(async () => {
    hub = await startHubProcess({ engine, args: ['--outbox-min-delay', '100', '--outbox-max-delay', '400', '--upstream-timeout', '3000'] });
    for (const k of ['cpo', 'emp', 'emp2', 'oem', 'fleet'] as const) mocks[k] = await startMockPartner();
    mocks.cpo.respond((r) => (r.call === 'session-start' ? { ...up, 'session-start': { 'session-id': 'remote-1', 'is-stoppable': true } } : up));
    [cpo, cpo2, emp, emp2, oem, fleet, noEndpoint] = await Promise.all([
      hub.addPartner({ name: 'CPO', roles: 'cpo', endpoint: mocks.cpo.url, endpointKey: 'k-cpo' }),
      hub.addPartner({ name: 'CPO 2', roles: 'cpo' }),
      hub.addPartner({ name: 'EMP', roles: 'emp', evcoPrefix: 'DEEMP', endpoint: mocks.emp.url, endpointKey: 'k-emp' }),
      hub.addPartner({ name: 'EMP 2', roles: 'emp', evcoPrefix: 'NLTWO', endpoint: mocks.emp2.url, endpointKey: 'k-emp2' }),
      hub.addPartner({ name: 'OEM', roles: 'oem', endpoint: mocks.oem.url, endpointKey: 'k-oem' }),
      hub.addPartner({ name: 'Fleet', roles: 'fleet', endpoint: mocks.fleet.url, endpointKey: 'k-fleet' }),
      hub.addPartner({ name: 'EMP without endpoint', roles: 'emp', evcoPrefix: 'ATNOE' }),
    ]);
    await untilKnown(hub.url, [cpo.apiKey, cpo2.apiKey, emp.apiKey, emp2.apiKey, oem.apiKey, fleet.apiKey]);
    const st = await send(hub.url, cpo.apiKey, aStationPost(cpo.partnerIdentifier, 'S1', ['DE*CPO*E1', 'DE*CPO*E2']));
    assert.equal(st.body.result.code, 0);
  });
  after(async () => {
    await hub.stop();
    for (const m of Object.values(mocks)) await m.close();
    await hub.cleanup();
  });

  const post = (p: TestPartner, body: unknown) => send(hub.url, p.apiKey, body);

  it('should forward a CDR to the EMP owning the EVCO ID prefix, with the CPO\'s partner identifier, and show it delivered', async () => {
    const r = await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-prefix', 'DE*CPO*E1', evco(ANNA)));
    assert.equal(r.status, 200);
    assert.equal(r.body.result.code, 0);
    const got = await mocks.emp.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'cdr-prefix');
    assert.equal(got.apiKey, 'k-emp');
    assert.equal(got.payload['partner-identifier'], cpo.partnerIdentifier);
    assert.equal(got.payload['energy-consumed'], 12.5);
    await eventually(async () => (await outboxNow()).find((e) => e.subject === 'cdr-prefix' && e.state === 'delivered'), 5000, 'delivered');
    const listed = (await outbox(['--state', 'delivered'])).find((e) => e.subject === 'cdr-prefix')!;
    assert.equal(listed.call, 'session-post');
    assert.equal(listed.partner, emp.id);
  });

  it('should treat an equal repeat as a no-op, forward a completing post again, and ignore a stale running update', async () => {
    const running = aCdr(cpo.partnerIdentifier, 'cdr-idem', 'DE*CPO*E1', evco(ANNA), { 'session-interval': { start: '2024-05-01T10:00:00+00:00' }, 'energy-consumed': 3 });
    delete (running['session-post'] as any)['calculated-cost'];
    delete (running['session-post'] as any)['charging-interval'];
    assert.equal((await post(cpo, running)).body.result.code, 0);
    await eventually(async () => cdrsTo(mocks.emp, 'cdr-idem').length === 1);
    assert.equal((await post(cpo, running)).body.result.code, 0);
    const final = aCdr(cpo.partnerIdentifier, 'cdr-idem', 'DE*CPO*E1', evco(ANNA), { 'charging-interval': undefined });
    assert.equal((await post(cpo, final)).body.result.code, 0);
    const second = await eventually(async () => cdrsTo(mocks.emp, 'cdr-idem')[1]);
    assert.equal(second.payload['session-interval'].stop, '2024-05-01T11:00:00+00:00');
    assert.equal(second.payload['energy-consumed'], 12.5);
    assert.equal((await post(cpo, running)).body.result.code, 0, 'a late running update is accepted…');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(cdrsTo(mocks.emp, 'cdr-idem').length, 2, '…but changes and forwards nothing');
    assert.equal((await outboxNow()).filter((e) => e.subject === 'cdr-idem').length, 2);
  });

  it('should refuse another partner\'s session id with 220, and a changed connector with 230', async () => {
    const r = await post(cpo2, aCdr(cpo2.partnerIdentifier, 'cdr-prefix', 'DE*CPO*E1', evco(ANNA)));
    assert.equal(r.body.result.code, 220);
    const moved = await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-prefix', 'DE*CPO*E2', evco(ANNA)));
    assert.equal(moved.body.result.code, 230);
  });

  it('should send the CDR of a remotely started session to the partner that started it', async () => {
    assert.equal((await post(oem, { 'session-start': { user: evco(ANNA), 'connector-id': 'DE*CPO*E2' } })).body.result.code, 0);
    assert.equal((await post(cpo, aCdr(cpo.partnerIdentifier, 'remote-1', 'DE*CPO*E2', evco(ANNA)))).body.result.code, 0);
    await mocks.oem.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'remote-1');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(cdrsTo(mocks.emp, 'remote-1').length, 0, 'the EVCO ID owner is not the receiver when someone else started it');
  });

  it('should send the CDR of an RFID session to the EMP that authorized the UID', async () => {
    assert.equal((await post(emp2, { 'rfid-post': { rfids: ['0A1B2C3D'], 'partner-identifier': emp2.partnerIdentifier } })).body.result.code, 0);
    assert.equal((await post(cpo, { 'rfid-verify': { rfid: '0a1b2c3d' } })).body.result.code, 0);
    assert.equal((await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-rfid', 'DE*CPO*E1', rfid('0A1B2C3D')))).body.result.code, 0);
    await mocks.emp2.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'cdr-rfid');
  });

  it('should send the CDR of a card removed from its EMP\'s list while it charged to that EMP, not to the list holding it now', async () => {
    const list = (who: TestPartner, rfids: string[]) => post(who, { 'rfid-post': { rfids, 'partner-identifier': who.partnerIdentifier } });
    assert.equal((await list(emp2, ['0A1B2C3D', '0F0F0F01'])).body.result.code, 0);
    await new Promise((r) => setTimeout(r, 20));
    const start = new Date().toISOString();
    assert.equal((await post(cpo, { 'rfid-verify': { rfid: '0F0F0F01' } })).body.result.code, 0);
    await new Promise((r) => setTimeout(r, 20));
    // While the card charges, EMP 2 blocks it and EMP (a lower partner id) lists it.
    assert.equal((await list(emp2, ['0A1B2C3D'])).body.result.code, 0);
    assert.equal((await list(emp, ['0F0F0F01'])).body.result.code, 0);
    assert.equal((await post(cpo, { 'rfid-verify': { rfid: '0F0F0F01' } })).body.result.code, 0, 'EMP\'s list answers for it now');
    const cdr = aCdr(cpo.partnerIdentifier, 'cdr-rfid-blocked', 'DE*CPO*E1', rfid('0F0F0F01'), {
      'session-interval': { start, stop: new Date().toISOString() }, 'charging-interval': { start, stop: new Date().toISOString() },
    });
    assert.equal((await post(cpo, cdr)).body.result.code, 0);
    await mocks.emp2.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'cdr-rfid-blocked');
    // A session begun now is EMP's: its CDR goes there.
    const later = new Date().toISOString();
    assert.equal((await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-rfid-moved', 'DE*CPO*E1', rfid('0f0f0f01'), {
      'session-interval': { start: later, stop: later }, 'charging-interval': { start: later, stop: later },
    }))).body.result.code, 0);
    await mocks.emp.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'cdr-rfid-moved');
    assert.equal(cdrsTo(mocks.emp, 'cdr-rfid-blocked').length, 0, 'the blocked session\'s CDR went to EMP 2 only');
    assert.equal(cdrsTo(mocks.emp2, 'cdr-rfid-moved').length, 0);
  });

  it('should also send a CDR to every fleet subscribed to the EVCO ID or UID with fleet-post-cards', async () => {
    const cards = { 'fleet-cards': [
      { 'fm-card-uid': 23, 'fleet-member-uid': 35, 'card-status': 'OPERATIONAL', 'evco-id': ANNA },
      { 'fm-card-uid': 24, 'fleet-member-uid': 36, 'card-status': 'OPERATIONAL', rfid: '00112233' },
    ], 'partner-identifier': fleet.partnerIdentifier };
    const r = await post(fleet, { 'fleet-post-cards': cards });
    assert.equal(r.body.result.code, 0);
    assert.deepEqual(r.body['fleet-cards'], { processed: 2 });
    assert.equal((await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-fleet', 'DE*CPO*E1', evco(ANNA)))).body.result.code, 0);
    await mocks.fleet.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'cdr-fleet');
    await mocks.emp.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'cdr-fleet');
    assert.equal((await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-fleet-uid', 'DE*CPO*E1', rfid('00112233')))).body.result.code, 0);
    await mocks.fleet.waitFor('session-post', 5000, (x) => x.payload['session-id'] === 'cdr-fleet-uid');
  });

  it('should show failing entries with their error in outbox list, and pending behind them in order', async () => {
    assert.equal((await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-noe', 'DE*CPO*E1', evco('AT*NOE*000001*0')))).body.result.code, 0);
    mocks.emp.respond(() => down);
    // The second CDR arrives once the first has failed with the EMP's own 503, which holds its queue.
    // Posted together, both could go out in one round of deliveries (a partner's sessions are sent
    // side by side) before the hub knew the EMP was down: a race, not a queue held.
    assert.equal((await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-down-1', 'DE*CPO*E1', evco(ANNA)))).body.result.code, 0);
    await eventually(async () => (await outboxNow()).find((x) => x.subject === 'cdr-down-1' && x.partner === emp.id && x.state === 'failing'));
    const first = async () => (await outboxNow()).find((x) => x.subject === 'cdr-down-1' && x.partner === emp.id)!;
    const triedBefore = (await first()).attempts;
    assert.equal((await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-down-2', 'DE*CPO*E1', evco(ANNA)))).body.result.code, 0);
    // The first is tried again (100-400 ms apart here) while the second waits: two more attempts, so
    // at least one began after the second was queued.
    await eventually(async () => (await first()).attempts >= triedBefore + 2);
    await eventually(async () => (await outboxNow()).find((x) => x.subject === 'cdr-noe' && x.state === 'failing'));
    // The fleet subscribed to ANNA gets these CDRs too; only the EMP's rows are looked at here.
    const rows = (await outbox()).filter((x) => x.partner === emp.id || x.subject === 'cdr-noe');
    assert.match(rows.find((x) => x.subject === 'cdr-noe')!.lastError!, /no endpoint/);
    assert.match(rows.find((x) => x.subject === 'cdr-down-1')!.lastError!, /answered 100/);
    assert.equal(rows.find((x) => x.subject === 'cdr-down-2')!.state, 'pending', 'the second waits behind the first');
    const noe = rows.find((x) => x.subject === 'cdr-noe')!;
    assert.deepEqual(await hub.cli(['outbox', 'retry', '--id', String(noe.id), '--json']), { retried: 1 });
    const text = await oioi(['outbox', 'list', '--db', hub.db, '--partner', String(emp.id)]);
    assert.match(text.stdout, /failing/);
    assert.match(text.stdout, /pending/);
  });

  it('should keep every acknowledged write after SIGKILL right after a batch of 200 answers, and deliver what was queued while the EMP was down', async () => {
    const statuses = ['Available', 'Occupied', 'Offline'];
    const bodies = [
      ...Array.from({ length: 10 }, (_, i) => aStationPost(cpo.partnerIdentifier, `D${i}`, [`DE*CPO*ED${i}`], 50 + i / 100, 8)),
      ...Array.from({ length: 60 }, (_, i) => aCdr(cpo.partnerIdentifier, `dur-${i}`, 'DE*CPO*E1', evco(ANNA))),
    ];
    const answers = await Promise.all(bodies.map((b) => post(cpo, b)));
    const statusAnswers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(cpo, { 'connector-post-status': { 'connector-id': `DE*CPO*ED${i}`, status: statuses[i % 3], 'partner-identifier': cpo.partnerIdentifier } })));
    await hub.kill();
    assert.ok([...answers, ...statusAnswers].every((a) => a.status === 200 && a.body.result.code === 0));
    {
      const [{ n: cdrs }] = await hub.query("SELECT COUNT(*) AS n FROM cdrs WHERE session_id LIKE 'dur-%'");
      const [{ n: forwards }] = await hub.query("SELECT COUNT(*) AS n FROM outbox WHERE subject LIKE 'dur-%' AND partner_id = ?", [emp.id]);
      const [{ n: stations }] = await hub.query("SELECT COUNT(*) AS n FROM stations WHERE cpo_station_id LIKE 'D%'");
      const st = await hub.query<{ evse_id: string; status: string }>("SELECT evse_id, status FROM connectors WHERE evse_id LIKE 'DE*CPO*ED%' ORDER BY evse_id");
      assert.equal(cdrs, 60);
      assert.equal(forwards, 60, 'each CDR committed with its outbox row');
      assert.equal(stations, 10);
      assert.deepEqual(st.map((r) => r.status), st.map((r) => statuses[Number(r.evse_id.slice(-1)) % 3]));
    }
    mocks.emp.respond(() => up);
    await hub.restart();
    await eventually(async () => cdrsTo(mocks.emp, 'dur-59').length > 0, 40_000, 'forwarding resumed after restart');
    const order = mocks.emp.received.filter((r) => r.call === 'session-post').map((r) => String(r.payload['session-id']));
    const firstDelivered = (id: string) => order.indexOf(id);
    // cdr-down-1 held the EMP's queue (its failure was the EMP's own): it goes first, as the probe;
    // what waited behind it follows eight sessions at a time, oldest first.
    const afterProbe = order.slice(order.lastIndexOf('cdr-down-1') + 1);
    assert.ok(firstDelivered('cdr-down-1') >= 0 && firstDelivered('cdr-down-1') < firstDelivered('cdr-down-2'), `in order: ${order}`);
    assert.ok(afterProbe.slice(0, 8).includes('cdr-down-2') && afterProbe.indexOf('dur-0') < afterProbe.indexOf('dur-59'), `in order: ${order}`);
  });
});
