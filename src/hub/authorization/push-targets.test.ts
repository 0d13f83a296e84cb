/** When a partner becomes a whitelist push target, it is sent the merged list at once (both engines). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase, testEngines } from '../../../test/support/engines.js';
import { openStorage, type Storage } from '../../storage/index.js';
import { addPartner } from '../partners/partner-service.js';
import { pushToNewTarget } from './push-targets.js';

for (const engine of testEngines()) describe(`whitelist push to a new target (${engine})`, () => {
  let db: { url: string; drop(): Promise<void> };
  let storage: Storage;
  before(async () => {
    db = await freshDatabase(engine);
    storage = await openStorage(db.url);
    const { partner: emp } = await addPartner(storage, { name: 'EMP', roles: ['emp'] });
    await storage.authorization.replaceWhitelist(emp.partnerIdentifiers[0]!, emp.id, ['04A2B3C4', '0A0B0C0D']);
  });
  after(async () => {
    await storage.close();
    await db.drop();
  });

  const pushesTo = async (partnerId: number) =>
    (await storage.outbox.list({ partnerId })).filter((e) => e.call === 'rfid-post' && (e.state === 'pending' || e.state === 'failing'));

  it('should queue the merged whitelist for a CPO added in offline mode with an endpoint, and for no other', async () => {
    const { partner: offline } = await addPartner(storage, { name: 'Offline', roles: ['cpo'], rfidAuth: 'offline', endpoint: { url: 'http://127.0.0.1:9/x', apiKey: 'k' } });
    const { partner: online } = await addPartner(storage, { name: 'Online', roles: ['cpo'], rfidAuth: 'online', endpoint: { url: 'http://127.0.0.1:9/y', apiKey: 'k' } });
    const { partner: noEndpoint } = await addPartner(storage, { name: 'No endpoint', roles: ['cpo'], rfidAuth: 'offline' });
    const [push] = await pushesTo(offline.id);
    assert.deepEqual(push?.payload, { rfids: ['04A2B3C4', '0A0B0C0D'], 'partner-identifier': offline.partnerIdentifiers[0] });
    assert.deepEqual(await pushesTo(online.id), []);
    assert.deepEqual(await pushesTo(noEndpoint.id), []);
  });

  it('should push when a CPO switches to offline or moves its endpoint, and not again for unrelated edits', async () => {
    const { partner: cpo } = await addPartner(storage, { name: 'Switching', roles: ['cpo'], rfidAuth: 'none', endpoint: { url: 'http://127.0.0.1:9/a', apiKey: 'k' } });
    assert.equal((await pushesTo(cpo.id)).length, 0);
    const offline = (await storage.partners.update(cpo.id, { rfidAuth: 'offline' }))!;
    assert.equal((await pushToNewTarget(storage, cpo, offline, Date.now())).length, 1);
    const renamed = (await storage.partners.update(cpo.id, { name: 'Renamed' }))!;
    assert.deepEqual(await pushToNewTarget(storage, offline, renamed, Date.now()), []);
    const moved = (await storage.partners.update(cpo.id, { endpoint: { url: 'http://127.0.0.1:9/b', apiKey: 'k' } }))!;
    assert.equal((await pushToNewTarget(storage, renamed, moved, Date.now())).length, 1);
    // Each push is the whole list: the older undelivered one is superseded, one stays open.
    assert.equal((await pushesTo(cpo.id)).length, 1);
  });
});
