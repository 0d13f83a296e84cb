/**
 * No secret in the logs: a real hub process at the most verbose level (OIOI_LOG=info) is driven
 * through every call from every role, failures of every kind (bad and unknown keys, wrong bodies,
 * foreign data) and upstream calls with endpoint keys (remote start, online RFID, CDR forwarding,
 * whitelist pushes, partners that are down or answer errors). Its whole stdout and stderr must
 * hold none of the API keys, endpoint keys, URL passwords, tokens or passwords it saw.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';
import { callNames } from '../../src/protocol/index.js';
import { exampleOf } from '../fuzz/target.js';

const secret = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;
const ANNA = 'DE*AAA*000001*2';
const evco = (id: string) => ({ 'identifier-type': 'evco-id', identifier: id });

/** Values under keys that name secrets (password, token…) anywhere in the spec's examples. */
function secretsInExamples(): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key = ''): void => {
    if (typeof v === 'string' && /password|token|secret|key|cvc|card-number/i.test(key) && v.length >= 6) out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const call of callNames) walk(exampleOf(call));
  return out;
}

describe('hub logs hold no secrets', () => {
  let hub: HubProcess;
  let output = '';
  const mocks = {} as Record<'cpo' | 'emp' | 'emp500', MockPartner>;
  const endpointKeys = { cpo: secret('endpoint-key-cpo'), cpoDown: secret('endpoint-key-down'), emp: secret('endpoint-key-emp'), emp500: secret('endpoint-key-emp500'), offline: secret('endpoint-key-offline') };
  const urlPassword = secret('url-password');
  let p: Record<'cpo' | 'cpoDown' | 'offlineCpo' | 'emp' | 'emp500' | 'oem' | 'fleet', TestPartner>;

  before(async () => {
    hub = await startHubProcess({ env: { OIOI_LOG: 'info' }, args: ['--upstream-timeout', '800', '--outbox-min-delay', '100', '--outbox-max-delay', '200'] });
    hub.child.stdout!.on('data', (d) => (output += d));
    hub.child.stderr!.on('data', (d) => (output += d));
    mocks.cpo = await startMockPartner((r) => {
      if (r.call === 'session-start') return { result: { code: 0, message: 'Success.' }, 'session-start': { 'session-id': 'remote-1', 'is-stoppable': true } };
      if (r.call === 'reservation-start') return { result: { code: 0, message: 'Success.' }, 'reservation-start': { end: new Date(Date.now() + 30 * 60_000).toISOString() } };
      return { result: { code: 0, message: 'Success.' } };
    });
    mocks.emp = await startMockPartner((r) => (r.call === 'rfid-verify' ? { result: { code: 0, message: 'Success.' }, 'evco-id': ANNA } : { result: { code: 0, message: 'Success.' } }));
    // A partner that fails loudly, echoing what it got (a badly behaved endpoint).
    mocks.emp500 = await startMockPartner((r) => ({ status: 500, body: { result: { code: 100, message: `failed for ${r.apiKey}` } } }));
    const added = await Promise.all([
      hub.addPartner({ name: 'CPO', roles: 'cpo', endpoint: mocks.cpo.url, endpointKey: endpointKeys.cpo }),
      hub.addPartner({ name: 'CPO down', roles: 'cpo', endpoint: `http://hub:${urlPassword}@127.0.0.1:1/api/v4/request`, endpointKey: endpointKeys.cpoDown }),
      hub.addPartner({ name: 'Offline CPO', roles: 'cpo', endpoint: mocks.cpo.url, endpointKey: endpointKeys.offline, rfidAuth: 'offline' }),
      hub.addPartner({ name: 'EMP', roles: 'emp', evcoPrefix: 'DEAAA', endpoint: mocks.emp.url, endpointKey: endpointKeys.emp, rfidAuth: 'online' }),
      hub.addPartner({ name: 'EMP 500', roles: 'emp', evcoPrefix: 'DEBBB', endpoint: mocks.emp500.url, endpointKey: endpointKeys.emp500, rfidAuth: 'online' }),
      hub.addPartner({ name: 'OEM', roles: 'oem' }),
      hub.addPartner({ name: 'Fleet', roles: 'fleet' }),
    ]);
    p = { cpo: added[0]!, cpoDown: added[1]!, offlineCpo: added[2]!, emp: added[3]!, emp500: added[4]!, oem: added[5]!, fleet: added[6]! };
    await untilKnown(hub.url, added.map((x) => x.apiKey));

    const post = (who: keyof typeof p, body: unknown, headers?: Record<string, string>) => send(hub.url, p[who].apiKey, body, headers);
    // Data and upstream calls: stations of both CPOs, remote start/stop and a reservation (CPO
    // endpoint), one toward a CPO that is down, online RFID checks, CDRs to a good and a failing
    // EMP, a whitelist push to the offline CPO.
    await post('cpo', aStationPost(p.cpo.partnerIdentifier, 'S1', ['DE*CPO*E1', 'DE*CPO*E2']));
    await post('cpoDown', aStationPost(p.cpoDown.partnerIdentifier, 'S2', ['DE*DWN*E1'], 52.6, 13.5));
    await post('emp', { 'session-start': { user: evco(ANNA), 'connector-id': 'DE*CPO*E1' } });
    await post('emp', { 'session-stop': { user: evco(ANNA), 'connector-id': 'DE*CPO*E1' } });
    await post('emp', { 'reservation-start': { 'connector-id': 'DE*CPO*E2', identifier: [{ 'evco-id': ANNA }] } });
    await post('emp', { 'session-start': { user: evco(ANNA), 'connector-id': 'DE*DWN*E1' } });
    await post('cpo', { 'rfid-verify': { rfid: '0A0B0C0D' } });
    await post('cpo', aCdr(p.cpo.partnerIdentifier, 'cdr-1', 'DE*CPO*E1', evco(ANNA)));
    await post('cpo', aCdr(p.cpo.partnerIdentifier, 'cdr-2', 'DE*CPO*E1', evco('DE*BBB*000001*5')));
    await post('emp', { 'rfid-post': { rfids: ['11223344'], 'partner-identifier': p.emp.partnerIdentifier } });
    // Every call of the registry from every role, as the spec's examples.
    for (const who of Object.keys(p) as Array<keyof typeof p>) for (const call of callNames) await post(who, exampleOf(call));
    // Failures at the front door, each carrying something secret-looking.
    const wrongKey = `oioi_AAAAAAAAAAAAAAAA_${secret('wrong')}`;
    await send(hub.url, wrongKey, { 'api-minimum-version-number': {} });
    await send(hub.url, undefined, { 'api-minimum-version-number': {} }, { authorization: `Bearer ${p.cpo.apiKey}` });
    await post('cpo', `{"rfid-verify":{"rfid":"${p.emp.apiKey}"}}`);
    await post('cpo', '{not json', { 'x-api-key': p.emp.apiKey });
    // Too large: the hub answers 413 and reads the rest (a bounded drain), so the sender gets the answer.
    const tooLarge = await post('cpo', { 'connector-post-status': { 'connector-id': 'DE*CPO*E1', status: 'Available', 'partner-identifier': p.cpo.partnerIdentifier, padding: 'x'.repeat(1024 * 1024) } });
    assert.equal(tooLarge.status, 413);
    await send(hub.url.replace('/api/v4/request', '/other'), p.cpo.apiKey, {});
    await fetch(hub.url, { method: 'GET', headers: { authorization: `key=${p.cpo.apiKey}` } });
    await fetch(hub.url, { method: 'POST', headers: { authorization: `key=${p.cpo.apiKey}`, 'content-type': 'text/plain' }, body: 'x' });
    // Let the outbox deliver, fail and retry a few times.
    await eventually(async () => mocks.emp500.received.length >= 2 && mocks.emp.received.some((r) => r.call === 'session-post'), 8000, 'outbox deliveries and retries');
    await eventually(async () => mocks.cpo.received.some((r) => r.call === 'rfid-post'), 8000, 'whitelist push');
    await hub.stop();
    // The secrets went where they should: the test is about the logs, not about a quiet hub.
    assert.ok(mocks.cpo.received.some((r) => r.apiKey === endpointKeys.cpo));
    assert.ok(mocks.emp500.received.some((r) => r.apiKey === endpointKeys.emp500));
  });
  after(async () => {
    if (hub.child.exitCode === null && hub.child.signalCode === null) await hub.stop();
    for (const m of Object.values(mocks)) await m.close();
    await hub.cleanup();
  });

  it('should have logged every request and the upstream trouble (so the next check means something)', () => {
    const lines = output.split('\n').filter(Boolean);
    assert.ok(lines.length > 300, `only ${lines.length} log lines`);
    assert.match(output, /"status":401/);
    assert.match(output, /"status":413/);
    assert.match(output, /outbox delivered/);
    assert.match(output, /unreachable/);
  });

  it('should never write an API key, endpoint key, URL password, token or password', () => {
    // Each key and its whole secret (`oioi_<16-character id>_<secret>`; the base64url secret may hold '_' itself).
    const apiKeys = Object.values(p).flatMap((x) => [x.apiKey, x.apiKey.slice('oioi_'.length + 17)]);
    const secrets = [...apiKeys, ...Object.values(endpointKeys), urlPassword, ...secretsInExamples()];
    for (const s of secrets) {
      const line = output.split('\n').find((l) => l.includes(s));
      assert.ok(line === undefined, `the logs hold a secret (${s.slice(0, 16)}…) in: ${line?.slice(0, 400)}`);
    }
  });
});
