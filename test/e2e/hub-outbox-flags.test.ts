/**
 * The outbox's concurrency flags (docs/cli.md): --outbox-per-partner caps the CDRs in flight to one
 * EMP, for an endpoint that takes fewer requests at once than the default 8; a bad value is a
 * usage error. Engine-independent (the worker's option), so run on SQLite only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { oioi } from '../support/cli.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';

const up = { result: { code: 0, message: 'Success.' } };

describe('hub outbox flags', () => {
  let hub: HubProcess;
  let emp: MockPartner;
  let cpo: TestPartner;
  let inFlight = 0;
  let most = 0;

  before(async () => {
    emp = await startMockPartner(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 150));
      inFlight--;
      return up;
    });
    hub = await startHubProcess({ engine: 'sqlite', args: ['--outbox-per-partner', '2'] });
    cpo = await hub.addPartner({ name: 'CPO', roles: 'cpo' });
    const e = await hub.addPartner({ name: 'EMP', roles: 'emp', evcoPrefix: 'DEEMP', endpoint: emp.url, endpointKey: 'k-emp' });
    await untilKnown(hub.url, [cpo.apiKey, e.apiKey]);
    assert.equal((await send(hub.url, cpo.apiKey, aStationPost(cpo.partnerIdentifier, 'S1', ['DE*CPO*E1']))).body.result.code, 0);
  });
  after(async () => {
    await hub.stop();
    await emp.close();
    await hub.cleanup();
  });

  it('should keep at most --outbox-per-partner CDRs in flight to one EMP, and reach it', async () => {
    const sessions = Array.from({ length: 10 }, (_, i) => `flag-session-${i}`);
    for (const id of sessions) {
      const r = await send(hub.url, cpo.apiKey, aCdr(cpo.partnerIdentifier, id, 'DE*CPO*E1', { 'identifier-type': 'evco-id', identifier: 'DE*EMP*000001*2' }));
      assert.equal(r.body.result.code, 0);
    }
    await eventually(async () => sessions.every((id) => emp.received.some((r) => r.payload?.['session-id'] === id)), 10_000, 'every CDR delivered');
    assert.equal(most, 2, 'two side by side (the default would send up to 8), never more');
  });

  it('should refuse --outbox-per-partner 0 and --outbox-lanes x as usage errors', async () => {
    for (const args of [['--outbox-per-partner', '0'], ['--outbox-lanes', 'x']]) {
      const r = await oioi(['hub', '--db', 'sqlite::memory:', '--port', '0', ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(args[0]!));
    }
  });
});
