/**
 * Dead letters end to end: a real hub process with a short `--outbox-dead-after`, an EMP whose
 * endpoint resets every connection, and the operator's `oioi outbox list --state dead` and
 * `oioi outbox retry --dead` on the hub's database (docs/reliability.md, "Delivery").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { send } from '../support/http.js';
import { startEvilPartner, type EvilPartner } from '../support/evil-partner.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';

interface Row { id: number; state: string; subject: string | null; attempts: number; lastError: string | null; call: string }

describe('hub outbox: dead letters and operator retry', () => {
  let hub: HubProcess;
  let evil: EvilPartner;
  let cpo: TestPartner;
  let emp: TestPartner;

  before(async () => {
    hub = await startHubProcess({ args: ['--outbox-dead-after', '1500', '--outbox-min-delay', '100', '--outbox-max-delay', '300', '--upstream-timeout', '500'] });
    evil = await startEvilPartner('reset');
    [cpo, emp] = await Promise.all([
      hub.addPartner({ name: 'CPO', roles: 'cpo' }),
      hub.addPartner({ name: 'EMP', roles: 'emp', endpoint: evil.url, endpointKey: 'k', evcoPrefix: 'DEEMP' }),
    ]);
    await untilKnown(hub.url, [cpo.apiKey, emp.apiKey]);
    assert.equal((await send(hub.url, cpo.apiKey, aStationPost(cpo.partnerIdentifier, 'S1', ['DE*CPO*E1']))).body.result.code, 0);
  });
  after(async () => {
    await hub.stop();
    await hub.cleanup();
    await evil.close();
  });

  const rows = async (state: string) => (await hub.cli(['outbox', 'list', '--json', '--state', state, '--partner', String(emp.id)])) as Row[];

  it('should list CDRs that stayed undeliverable past --outbox-dead-after as dead, and deliver each once after oioi outbox retry --dead', async () => {
    const ids = ['CDR-A', 'CDR-B', 'CDR-C'];
    for (const id of ids) {
      const r = await send(hub.url, cpo.apiKey, aCdr(cpo.partnerIdentifier, id, 'DE*CPO*E1', { 'identifier-type': 'evco-id', identifier: 'DE*EMP*000001*2' }));
      assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    }
    const dead = await eventually(async () => { const d = await rows('dead'); return d.length === ids.length ? d : undefined; }, 20_000, 'three dead entries');
    assert.deepEqual(dead.map((r) => r.subject).sort(), ids);
    for (const r of dead) {
      assert.equal(r.call, 'session-post');
      assert.match(r.lastError ?? '', /network/, 'the last error says why');
    }
    assert.deepEqual(await rows('delivered'), []);
    assert.ok(evil.received.every((r) => r.behaviour === 'reset'));

    evil.behave('ok');
    const seen = evil.received.length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(evil.received.length, seen, 'dead entries are not retried on their own');

    const retried = await hub.cli(['outbox', 'retry', '--dead', '--json']);
    assert.deepEqual(retried, { retried: 3 });
    const delivered = await eventually(async () => { const d = await rows('delivered'); return d.length === ids.length ? d : undefined; }, 10_000, 'delivered after retry');
    // Three sessions: sent side by side, so in no promised order.
    assert.deepEqual(evil.received.slice(seen).map((r) => r.payload['session-id']).sort(), ids, 'once each');
    assert.deepEqual(await rows('dead'), []);
    assert.ok(delivered.every((r) => r.attempts === 1));
  });
});
