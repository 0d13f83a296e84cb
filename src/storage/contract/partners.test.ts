/** PartnerRepository and Storage.changeToken on every engine. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rawExec, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`PartnerRepository on ${engine}`, () => {
    const h = useStorage(engine);
    const repo = () => h.storage.partners;

    it('should add a partner and read it back with identifiers in the order given and prefixes sorted', async () => {
      const p = await repo().add({ name: 'Alpha', roles: ['cpo', 'emp'], partnerIdentifiers: ['zz-alpha-identifier-01', 'aa-alpha-identifier-02'], evcoPrefixes: ['DE8PS', 'AT1XY'], rfidAuth: 'offline', receivesCdrs: false });
      assert.equal(typeof p.id, 'number');
      assert.deepEqual({ ...p, createdAt: undefined }, {
        id: p.id, name: 'Alpha', roles: ['cpo', 'emp'], partnerIdentifiers: ['zz-alpha-identifier-01', 'aa-alpha-identifier-02'],
        evcoPrefixes: ['AT1XY', 'DE8PS'], rfidAuth: 'offline', receivesCdrs: false, createdAt: undefined,
      });
      assert.ok(!Number.isNaN(Date.parse(p.createdAt)));
      assert.deepEqual(await repo().get(p.id), p);
      assert.equal(await repo().get(999_999), undefined);
    });

    it('should refuse a partner identifier another partner holds, and keep nothing of the refused partner', async () => {
      const before = (await repo().list()).length;
      await assert.rejects(repo().add({ name: 'Copy', roles: ['cpo'], partnerIdentifiers: ['zz-alpha-identifier-01'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true }));
      assert.equal((await repo().list()).length, before);
    });

    it('should update only the fields given, set and clear the endpoint, and replace prefixes', async () => {
      const p = await repo().add({ name: 'Beta', roles: ['emp'], partnerIdentifiers: ['beta-identifier-000001'], evcoPrefixes: ['DE8BE'], rfidAuth: 'none', receivesCdrs: true });
      const u = await repo().update(p.id, { endpoint: { url: 'http://127.0.0.1:9/oioi', apiKey: 'k' }, evcoPrefixes: ['NL1BE', 'BE2BE'] });
      assert.deepEqual(u, { ...p, endpoint: { url: 'http://127.0.0.1:9/oioi', apiKey: 'k' }, evcoPrefixes: ['BE2BE', 'NL1BE'] });
      const v = await repo().update(p.id, { name: 'Beta 2', roles: ['emp', 'oem'], rfidAuth: 'online', receivesCdrs: false, endpoint: undefined });
      assert.deepEqual(v, { ...p, name: 'Beta 2', roles: ['emp', 'oem'], rfidAuth: 'online', receivesCdrs: false, evcoPrefixes: ['BE2BE', 'NL1BE'] });
      assert.equal(await repo().update(999_999, { name: 'nobody' }), undefined);
      assert.deepEqual((await repo().list()).map((x) => x.name), ['Alpha', 'Beta 2']);
    });

    it('should add, list and revoke keys; a revoked or unknown key cannot be revoked again', async () => {
      const [alpha, beta] = await repo().list();
      const k1 = await repo().addKey({ id: 'key-one', partnerId: alpha!.id, secretHash: 'h1' });
      assert.deepEqual({ ...k1, createdAt: undefined }, { id: 'key-one', partnerId: alpha!.id, secretHash: 'h1', createdAt: undefined });
      await repo().addKey({ id: 'key-two', partnerId: alpha!.id, secretHash: 'h2' });
      await repo().addKey({ id: 'key-three', partnerId: beta!.id, secretHash: 'h3' });
      await assert.rejects(repo().addKey({ id: 'key-one', partnerId: beta!.id, secretHash: 'hx' }));
      assert.deepEqual((await repo().activeKeys()).map((k) => k.id).sort(), ['key-one', 'key-three', 'key-two']);
      assert.equal(await repo().revokeKey('key-one'), true);
      assert.equal(await repo().revokeKey('key-one'), false);
      assert.equal(await repo().revokeKey('no-such-key'), false);
      assert.deepEqual((await repo().activeKeys()).map((k) => k.id).sort(), ['key-three', 'key-two']);
      const keys = await repo().keysOf(alpha!.id);
      assert.deepEqual(keys.map((k) => [k.id, k.revokedAt !== undefined]), [['key-one', true], ['key-two', false]]);
      assert.deepEqual(await repo().keysOf(999_999), []);
    });

    it('should list keys made in the same millisecond by id, also after one was revoked', async () => {
      const [, beta] = await repo().list();
      const at = '2999-01-01T00:00:00.000Z'; // after every other key of the suite
      await rawExec(engine, h.url, `INSERT INTO api_keys (id, partner_id, secret_hash, created_at) VALUES ('tie-b', ${beta!.id}, 'hb', '${at}');
        INSERT INTO api_keys (id, partner_id, secret_hash, created_at) VALUES ('tie-a', ${beta!.id}, 'ha', '${at}')`);
      assert.equal(await repo().revokeKey('tie-a'), true); // on PostgreSQL the row moves
      assert.deepEqual((await repo().keysOf(beta!.id)).slice(-2).map((k) => k.id), ['tie-a', 'tie-b']);
    });

    it('should change the change token when another process commits a partner or key change', async () => {
      const other = await h.another();
      const t0 = await h.storage.changeToken();
      assert.equal(await h.storage.changeToken(), t0, 'no commit, no change');
      const p = await other.partners.add({ name: 'Gamma', roles: ['cpo'], partnerIdentifiers: ['gamma-identifier-00001'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
      const t1 = await h.storage.changeToken();
      assert.notEqual(t1, t0);
      await other.partners.addKey({ id: 'key-gamma', partnerId: p.id, secretHash: 'h' });
      const t2 = await h.storage.changeToken();
      assert.notEqual(t2, t1);
      await other.partners.revokeKey('key-gamma');
      assert.notEqual(await h.storage.changeToken(), t2);
      assert.deepEqual((await h.storage.partners.get(p.id))?.name, 'Gamma');
    });
  });
}
