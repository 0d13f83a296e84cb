/**
 * Ownership end to end, as one table: partner B (a CPO, an EMP, an OEM) tries every way of reading
 * or changing partner A's stations, connector statuses, sessions, reservations, CDRs and whitelist,
 * and every call its roles do not allow. Each attempt gets its coded answer, A's rows in storage
 * stay exactly as they were, and A's CPO endpoint is never called on B's behalf
 * (shared/protocol.md, "Hub rules").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';
import { testEngines } from '../support/engines.js';
import { callDefinition, callNames, type CallName } from '../../src/protocol/index.js';
import { exampleOf } from '../fuzz/target.js';

const ANNA = 'DE*AAA*000001*2';
const evco = (id: string) => ({ 'identifier-type': 'evco-id', identifier: id });
const UID_A = 'AAAA0001';
const roles = ['cpo', 'emp', 'oem', 'fleet'] as const;

type Who = 'cpoA' | 'cpoB' | 'empA' | 'empB' | 'oem' | 'fleet';
interface Attempt {
  rule: string;
  who: Who;
  body: (p: Record<Who, TestPartner>) => Record<string, unknown>;
  status: number;
  code: number;
}

/** Every way B may try to reach A's data; A is cpoA (stations, CDRs) and empA (session, reservation, whitelist). */
const attempts: Attempt[] = [
  { rule: 'connector-post-status on a foreign EVSE reads as an unknown EVSE', who: 'cpoB', status: 200, code: 181, body: (p) => ({ 'connector-post-status': { 'connector-id': 'DE*AAA*E1', status: 'Occupied', 'partner-identifier': p.cpoB.partnerIdentifier } }) },
  { rule: 'connector-post-status under the owner\'s partner identifier', who: 'cpoB', status: 403, code: 211, body: (p) => ({ 'connector-post-status': { 'connector-id': 'DE*AAA*E1', status: 'Occupied', 'partner-identifier': p.cpoA.partnerIdentifier } }) },
  { rule: 'station-post under the owner\'s partner identifier', who: 'cpoB', status: 403, code: 211, body: (p) => aStationPost(p.cpoA.partnerIdentifier, 'SA1', ['DE*AAA*E1', 'DE*AAA*E2', 'DE*AAA*E3'], 1, 1) },
  { rule: 'station-post deleting a station of the same station.id under its own identifier', who: 'cpoB', status: 200, code: 0, body: (p) => withStation(aStationPost(p.cpoB.partnerIdentifier, 'SA1', ['DE*BBB*E1']), { deleted: true }) },
  { rule: 'station-post taking the owner\'s EVSE ID elsewhere', who: 'cpoB', status: 200, code: 322, body: (p) => aStationPost(p.cpoB.partnerIdentifier, 'SB-steal', ['DE*AAA*E1'], 48.1, 11.5) },
  { rule: 'station-post taking the owner\'s EVSE ID at the same place', who: 'cpoB', status: 400, code: 230, body: (p) => aStationPost(p.cpoB.partnerIdentifier, 'SB-steal', ['DE*AAA*E1']) },
  { rule: 'session-stop of another partner\'s session reads as an unknown session', who: 'empB', status: 200, code: 182, body: () => ({ 'session-stop': { user: evco(ANNA), 'connector-id': 'DE*AAA*E2' } }) },
  { rule: 'session-stop with the CPO\'s session id by a stranger', who: 'oem', status: 200, code: 182, body: () => ({ 'session-stop': { user: evco(ANNA), 'connector-id': 'DE*AAA*E2', 'session-id': 'cpo-session-A' } }) },
  { rule: 'session-stop by a CPO', who: 'cpoB', status: 403, code: 220, body: () => ({ 'session-stop': { user: evco(ANNA), 'connector-id': 'DE*AAA*E2' } }) },
  { rule: 'session-start on the EVSE another partner reserved', who: 'empB', status: 200, code: 320, body: () => ({ 'session-start': { user: evco('DE*BBB*000001*5'), 'connector-id': 'DE*AAA*E3' } }) },
  { rule: 'reservation-start on the EVSE another partner reserved', who: 'empB', status: 200, code: 323, body: () => ({ 'reservation-start': { 'connector-id': 'DE*AAA*E3', identifier: [{ 'evco-id': 'DE*BBB*000001*5' }] } }) },
  { rule: 'reservation-stop of another partner\'s reservation', who: 'empB', status: 200, code: 189, body: () => ({ 'reservation-stop': { 'identifier-type': 'evco-id', identifier: ANNA } }) },
  { rule: 'session-post (CDR) with another CPO\'s session id', who: 'cpoB', status: 403, code: 220, body: (p) => aCdr(p.cpoB.partnerIdentifier, 'cdr-A', 'DE*BBB*E1', evco(ANNA), { 'energy-consumed': 99 }) },
  { rule: 'session-post (CDR) under the owner\'s partner identifier', who: 'cpoB', status: 403, code: 211, body: (p) => aCdr(p.cpoA.partnerIdentifier, 'cdr-A', 'DE*AAA*E1', evco(ANNA), { 'energy-consumed': 99 }) },
  { rule: 'rfid-post replacing the owner\'s whitelist under its identifier', who: 'empB', status: 403, code: 211, body: (p) => ({ 'rfid-post': { rfids: [], 'partner-identifier': p.empA.partnerIdentifier } }) },
  { rule: 'rfid-post of an own whitelist (touches only the sender\'s list)', who: 'empB', status: 200, code: 0, body: (p) => ({ 'rfid-post': { rfids: ['BBBB0001'], 'partner-identifier': p.empB.partnerIdentifier } }) },
];

function withStation(body: any, extra: Record<string, unknown>) {
  Object.assign(body['station-post'].station, extra);
  return body;
}

/** Every served call sent by every role of ours that may not send it: 403/220. */
function roleAttempts(): Attempt[] {
  const served: CallName[] = ['station-post', 'connector-post-status', 'session-post', 'rfid-verify', 'rfid-post', 'session-start', 'session-stop', 'reservation-start', 'reservation-stop', 'station-get-surface', 'station-get-by-ids', 'station-get-usage', 'tariffs-get-by-station-ids', 'fleet-post-cards'];
  const who: Record<(typeof roles)[number], Who> = { cpo: 'cpoB', emp: 'empB', oem: 'oem', fleet: 'fleet' };
  const out: Attempt[] = [];
  for (const call of served) {
    const allowed = callDefinition(call)!.roles;
    for (const role of roles) {
      if (allowed === '*' || allowed.includes(role)) continue;
      out.push({ rule: `${call} from a partner with role ${role} only`, who: who[role], status: 403, code: 220, body: () => exampleOf(call) });
    }
  }
  return out;
}

for (const engine of testEngines()) describe(`hub ownership: no partner reads or changes another's data (${engine})`, () => {
  let hub: HubProcess;
  let p: Record<Who, TestPartner>;
  const mocks = {} as Record<'cpoA' | 'empA' | 'empB', MockPartner>;

  /** Everything A owns, as stored (sorted rows, so the order of reading does not matter). */
  async function ownedByA(): Promise<string> {
    const q = async (sql: string, params: unknown[]) => (await hub.query(sql, params)).map((r) => JSON.stringify(r)).sort();
    return JSON.stringify({
      stations: await q('SELECT * FROM stations WHERE partner_id = ?', [p.cpoA.id]),
      connectors: await q('SELECT c.* FROM connectors c JOIN stations s ON s.id = c.station_id WHERE s.partner_id = ?', [p.cpoA.id]),
      sessions: await q('SELECT * FROM remote_sessions WHERE partner_id = ?', [p.empA.id]),
      reservations: await q('SELECT * FROM reservations WHERE partner_id = ?', [p.empA.id]),
      cdrs: await q('SELECT * FROM cdrs WHERE partner_id = ?', [p.cpoA.id]),
      whitelist: await q('SELECT w.uid FROM whitelists w JOIN whitelist_owners o ON o.id = w.list_id WHERE o.partner_id = ?', [p.empA.id]),
    });
  }

  before(async () => {
    hub = await startHubProcess({ engine, args: ['--upstream-timeout', '1000', '--outbox-min-delay', '100'] });
    mocks.cpoA = await startMockPartner((r) => {
      if (r.call === 'session-start') return { result: { code: 0, message: 'Success.' }, 'session-start': { 'session-id': 'cpo-session-A', 'is-stoppable': true } };
      if (r.call === 'reservation-start') return { result: { code: 0, message: 'Success.' }, 'reservation-start': { end: new Date(Date.now() + 30 * 60_000).toISOString() } };
      return { result: { code: 0, message: 'Success.' } };
    });
    mocks.empA = await startMockPartner();
    mocks.empB = await startMockPartner();
    const list = await Promise.all([
      hub.addPartner({ name: 'CPO A', roles: 'cpo', endpoint: mocks.cpoA.url, endpointKey: 'hub-at-cpo-a' }),
      hub.addPartner({ name: 'CPO B', roles: 'cpo' }),
      hub.addPartner({ name: 'EMP A', roles: 'emp', evcoPrefix: 'DEAAA', endpoint: mocks.empA.url, endpointKey: 'hub-at-emp-a' }),
      hub.addPartner({ name: 'EMP B', roles: 'emp', evcoPrefix: 'DEBBB', endpoint: mocks.empB.url, endpointKey: 'hub-at-emp-b' }),
      hub.addPartner({ name: 'OEM', roles: 'oem' }),
      hub.addPartner({ name: 'Fleet', roles: 'fleet' }),
    ]);
    p = { cpoA: list[0]!, cpoB: list[1]!, empA: list[2]!, empB: list[3]!, oem: list[4]!, fleet: list[5]! };
    await untilKnown(hub.url, list.map((x) => x.apiKey));
    const ok = async (who: Who, body: unknown) => {
      const r = await send(hub.url, p[who].apiKey, body);
      assert.equal(r.body.result.code, 0, `${who}: ${JSON.stringify(r.body)}`);
      return r;
    };
    // A's world: a public station with three EVSEs, a private one, a status, a whitelist,
    // a remote session, a reservation and a CDR; B has a station of its own.
    await ok('cpoA', aStationPost(p.cpoA.partnerIdentifier, 'SA1', ['DE*AAA*E1', 'DE*AAA*E2', 'DE*AAA*E3']));
    await ok('cpoA', withStation(aStationPost(p.cpoA.partnerIdentifier, 'SA2', ['DE*AAA*E9'], 52.51, 13.41), { 'is-private': true }));
    await ok('cpoB', aStationPost(p.cpoB.partnerIdentifier, 'SB1', ['DE*BBB*E1'], 52.52, 13.42));
    await ok('cpoA', { 'connector-post-status': { 'connector-id': 'DE*AAA*E1', status: 'Available', 'partner-identifier': p.cpoA.partnerIdentifier } });
    await ok('empA', { 'rfid-post': { rfids: [UID_A], 'partner-identifier': p.empA.partnerIdentifier } });
    await ok('empA', { 'session-start': { user: evco(ANNA), 'connector-id': 'DE*AAA*E2' } });
    await ok('empA', { 'reservation-start': { 'connector-id': 'DE*AAA*E3', identifier: [{ 'evco-id': ANNA }] } });
    await ok('cpoA', aCdr(p.cpoA.partnerIdentifier, 'cdr-A', 'DE*AAA*E1', evco(ANNA)));
    await mocks.empA.waitFor('session-post', 5000, (r) => r.payload['session-id'] === 'cdr-A');
    // The comparisons below mean something only if A really owns all of this.
    const owned = JSON.parse(await ownedByA());
    assert.deepEqual(Object.fromEntries(Object.entries(owned).map(([k, v]) => [k, (v as unknown[]).length])), { stations: 2, connectors: 4, sessions: 1, reservations: 1, cdrs: 1, whitelist: 1 });
  });
  after(async () => {
    await hub.stop();
    for (const m of Object.values(mocks)) await m.close();
    await hub.cleanup();
  });

  for (const a of [...attempts, ...roleAttempts()]) {
    it(`should refuse ${a.rule} (${a.status}/${a.code}) and leave the owner's data as it was`, async () => {
      const before = await ownedByA();
      const upstream = mocks.cpoA.received.length;
      const r = await send(hub.url, p[a.who].apiKey, a.body(p));
      assert.equal(r.status, a.status, JSON.stringify(r.body));
      assert.equal(r.body.result.code, a.code, JSON.stringify(r.body));
      assert.equal(await ownedByA(), before, 'the owner\'s rows changed');
      assert.equal(mocks.cpoA.received.length, upstream, 'the owner\'s CPO was called on a stranger\'s behalf');
    });
  }

  it('should hide a private station from everyone else in station-get-surface, station-get-by-ids and station-get-usage', async () => {
    const [row] = await hub.query<{ id: number }>('SELECT id FROM stations WHERE cpo_station_id = ? AND partner_id = ?', ['SA2', p.cpoA.id]);
    for (const who of ['empB', 'oem'] as const) {
      const surface = await send(hub.url, p[who].apiKey, { 'station-get-surface': { 'min-lat': 52.4, 'max-lat': 52.6, 'min-long': 13.3, 'max-long': 13.5 } });
      assert.equal(surface.body.result.code, 0);
      const ids = surface.body.stations.map((s: any) => s.id);
      assert.ok(ids.length >= 2, 'the public stations are there');
      assert.ok(!ids.includes(row!.id), `${who} sees the private station`);
      const byIds = await send(hub.url, p[who].apiKey, { 'station-get-by-ids': { 'station-ids': [row!.id] } });
      assert.deepEqual(byIds.body.stations ?? [], [], `${who} gets the private station by id`);
      const usage = await send(hub.url, p[who].apiKey, { 'station-get-usage': { 'station-id': row!.id } });
      const unknown = await send(hub.url, p[who].apiKey, { 'station-get-usage': { 'station-id': 987654 } });
      assert.equal(usage.body.result.code, 181, `${who} gets the private station's usage`);
      assert.equal(usage.body.result.message.replace(String(row!.id), 'N'), unknown.body.result.message.replace('987654', 'N'), 'a private station reads exactly like an unknown one');
    }
  });

  it('should send A\'s CDR to A\'s EMP only, and still verify A\'s whitelist after B replaced its own', async () => {
    await new Promise((r) => setTimeout(r, 300)); // time for a wrong delivery to show up
    assert.deepEqual(mocks.empB.received.filter((r) => r.call === 'session-post'), []);
    const verify = await send(hub.url, p.cpoB.apiKey, { 'rfid-verify': { rfid: UID_A } });
    assert.equal(verify.body.result.code, 0);
  });

  it('should still let the owners act on their own data (the refusals above are about ownership)', async () => {
    const status = await send(hub.url, p.cpoA.apiKey, { 'connector-post-status': { 'connector-id': 'DE*AAA*E1', status: 'Occupied', 'partner-identifier': p.cpoA.partnerIdentifier } });
    assert.equal(status.body.result.code, 0);
    assert.equal((await send(hub.url, p.empA.apiKey, { 'reservation-stop': { 'identifier-type': 'evco-id', identifier: ANNA } })).body.result.code, 0);
    assert.equal((await send(hub.url, p.empA.apiKey, { 'session-stop': { user: evco(ANNA), 'connector-id': 'DE*AAA*E2' } })).body.result.code, 0);
    await eventually(async () => mocks.cpoA.received.some((r) => r.call === 'session-stop'), 3000, 'session-stop at the CPO');
  });
});
