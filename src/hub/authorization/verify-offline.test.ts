/**
 * AuthorizationRepository.verifyOffline on every engine: the same answers as accountByUid, then
 * whitelistHit, and no authorization recorded (CDRs route by the lists' history since migration 850).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aPartner, testEngines, useStorage } from '../../storage/contract/test-support/setup.js';

for (const engine of testEngines()) {
  describe(`verifyOffline on ${engine}`, () => {
    const h = useStorage(engine);
    const repo = () => h.storage.authorization;
    let emp1: { id: number; identifier: string };
    let emp2: { id: number; identifier: string };
    before(async () => {
      emp1 = await aPartner(h.storage, 'emp1', ['emp']);
      emp2 = await aPartner(h.storage, 'emp2', ['emp']);
      await repo().replaceWhitelist(emp2.identifier, emp2.id, ['C0C0C0C0', 'D0D0D0D0']);
      await repo().replaceWhitelist(emp1.identifier, emp1.id, ['D0D0D0D0', '0A0A0A0A']);
      await repo().addAccount({ evcoId: 'DE*8PS*000000001*A', rfids: ['0A0A0A0A'], locked: false, hasPayment: true });
      await repo().addAccount({ evcoId: 'DE*8PS*000000002*A', rfids: ['0B0B0B0B'], locked: true, hasPayment: true });
      await repo().addAccount({ evcoId: 'DE*8PS*000000003*A', rfids: ['0C0C0C0C'], locked: false, hasPayment: false });
    });

    it('should answer from an active account before any whitelist, recording nothing', async () => {
      assert.deepEqual(await repo().verifyOffline('0A0A0A0A'), { source: 'account', evcoId: 'DE*8PS*000000001*A', locked: false, hasPayment: true });
      assert.equal(await repo().authorizedBy('0A0A0A0A'), undefined);
    });

    it('should answer a locked or unpaid account without recording an authorization', async () => {
      assert.deepEqual(await repo().verifyOffline('0B0B0B0B'), { source: 'account', evcoId: 'DE*8PS*000000002*A', locked: true, hasPayment: true });
      assert.deepEqual(await repo().verifyOffline('0C0C0C0C'), { source: 'account', evcoId: 'DE*8PS*000000003*A', locked: false, hasPayment: false });
      assert.equal(await repo().authorizedBy('0B0B0B0B'), undefined);
      assert.equal(await repo().authorizedBy('0C0C0C0C'), undefined);
    });

    it('should answer the whitelist of the lowest partner id and leave an older authorization as it was', async () => {
      await repo().recordAuthorization('D0D0D0D0', { partnerId: emp2.id, evcoId: 'DE*8PS*000000009*A' }, new Date('2026-01-01T00:00:00Z'));
      const v = await repo().verifyOffline('D0D0D0D0');
      assert.deepEqual(v, { source: 'whitelist', hit: await repo().whitelistHit('D0D0D0D0') });
      assert.equal(v.source === 'whitelist' && v.hit.partnerId, Math.min(emp1.id, emp2.id));
      assert.deepEqual(await repo().authorizedBy('D0D0D0D0'), { partnerId: emp2.id, evcoId: 'DE*8PS*000000009*A' });
      assert.deepEqual(await repo().verifyOffline('C0C0C0C0'), { source: 'whitelist', hit: { partnerId: emp2.id, partnerIdentifier: emp2.identifier } });
      assert.equal(await repo().authorizedBy('C0C0C0C0'), undefined);
    });

    it('should ask the database once per verify, whatever the answer', async (t) => {
      // rfid-verify is the hub's most frequent call: one read transaction (SQLite), one round trip (PostgreSQL).
      const storage = h.storage as unknown as { sqlite?: { read: (...a: unknown[]) => unknown }; pg?: { query: (...a: unknown[]) => unknown } };
      const [target, method] = storage.sqlite ? [storage.sqlite, 'read' as const] : [storage.pg!, 'query' as const];
      // Counted, not replaced: the real method runs; node:test puts it back after the test.
      const spy = t.mock.method(target as Record<typeof method, (...a: unknown[]) => unknown>, method);
      for (const uid of ['0A0A0A0A', '0B0B0B0B', 'C0C0C0C0', 'D0D0D0D0', 'E0E0E0E0']) {
        const before = spy.mock.callCount();
        await repo().verifyOffline(uid);
        assert.equal(spy.mock.callCount() - before, 1, `${uid}: ${spy.mock.callCount() - before} ${method} calls`);
      }
    });

    it('should give each of many verifies at once its own verdict, as when asked one by one', async () => {
      // On PostgreSQL the verifies of one turn share a statement: an answer must not reach another caller.
      const uids = ['E0E0E0E0', '0A0A0A0A', 'D0D0D0D0', '0B0B0B0B', 'C0C0C0C0', '0A0A0A0A', '0C0C0C0C', 'E0E0E0E0'];
      const alone = [];
      for (const uid of uids) alone.push(await repo().verifyOffline(uid));
      assert.deepEqual(await Promise.all(uids.map((uid) => repo().verifyOffline(uid))), alone);
      assert.deepEqual(alone.map((v) => v.source), ['none', 'account', 'whitelist', 'account', 'whitelist', 'account', 'account', 'none']);
    });

    it('should answer none for a UID no row can hold, and not fail the verifies asked with it', async () => {
      const [a, bad, b] = await Promise.all(['0A0A0A0A', '0A0A\u00000A0A', 'C0C0C0C0'].map((uid) => repo().verifyOffline(uid)));
      assert.equal(a!.source, 'account');
      assert.deepEqual(bad, { source: 'none' });
      assert.equal(b!.source, 'whitelist');
    });

    if (engine === 'postgres') {
      it('should ask PostgreSQL once for the verifies of one turn, 256 UIDs at most a statement', async (t) => {
        const db = (h.storage as unknown as { pg: { query: (...a: unknown[]) => unknown } }).pg;
        const query = t.mock.method(db, 'query'); // counted, not replaced
        const known = ['0A0A0A0A', 'C0C0C0C0', 'D0D0D0D0'];
        const uids = Array.from({ length: 600 }, (_, i) => (i % 7 === 0 ? known[i % 3]! : `F${i.toString(16).toUpperCase().padStart(7, '0')}`));
        const verdicts = await Promise.all(uids.map((uid) => repo().verifyOffline(uid)));
        assert.deepEqual(query.mock.calls.map((c) => (c.arguments[1] as unknown[][])[0]!.length), [256, 256, 88]);
        uids.forEach((uid, i) => {
          const source = verdicts[i]!.source;
          assert.equal(source, uid === '0A0A0A0A' ? 'account' : uid.startsWith('F') ? 'none' : 'whitelist', `${i} ${uid}`);
        });
      });
    }

    it('should answer none for an unknown UID and record nothing', async () => {
      assert.deepEqual(await repo().verifyOffline('E0E0E0E0'), { source: 'none' });
      assert.equal(await repo().authorizedBy('E0E0E0E0'), undefined);
    });
  });
}
