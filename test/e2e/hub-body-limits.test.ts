/**
 * Body limits: 1 MiB for everyone (shared/protocol.md), but EMP/OEM senders may post whole
 * whitelists (rfid-post) of hundreds of thousands of UIDs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send } from '../support/http.js';
import { testEngines } from '../support/engines.js';

/** `n` distinct 14-character UIDs. */
function uids(n: number): string[] {
  return Array.from({ length: n }, (_, i) => i.toString(16).toUpperCase().padStart(14, '0'));
}

for (const engine of testEngines()) describe(`hub body limits (${engine})`, () => {
  let hub: HubProcess;
  let emp: TestPartner;
  let cpo: TestPartner;
  before(async () => {
    hub = await startHubProcess({ engine });
    emp = await hub.addPartner({ name: 'Big EMP', roles: 'emp' });
    cpo = await hub.addPartner({ name: 'CPO', roles: 'cpo' });
    await new Promise((r) => setTimeout(r, 600));
  });
  after(async () => { await hub.stop(); await hub.cleanup(); });

  it('should accept an rfid-post whitelist larger than 1 MiB from an EMP', async () => {
    const list = uids(150_000);
    const body = JSON.stringify({ 'rfid-post': { rfids: list, 'partner-identifier': emp.partnerIdentifier } });
    assert.ok(body.length > 1024 * 1024, 'the test body must be over 1 MiB');
    const r = await send(hub.url, emp.apiKey, body);
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 200));
    assert.equal(r.body.result.code, 0);
    assert.equal(r.body.rfid.processed, 150_000);
    const verify = await send(hub.url, cpo.apiKey, { 'rfid-verify': { rfid: list[149_999] } });
    assert.equal(verify.body.result.code, 0);
  });

  it('should refuse a body over 1 MiB from a CPO with 413 and code 230', async () => {
    const padding = 'x'.repeat(1024 * 1024);
    const r = await send(hub.url, cpo.apiKey, { 'connector-post-status': { 'connector-id': 'DE*8PS*E1', status: 'Available', 'partner-identifier': cpo.partnerIdentifier, padding } });
    assert.equal(r.status, 413);
    assert.equal(r.body.result.code, 230);
  });
});
