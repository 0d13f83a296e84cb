/** AuthorizationRepository on every engine. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { AccountConflictError } from '../authorization.js';
import { aPartner, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`AuthorizationRepository on ${engine}`, () => {
    const h = useStorage(engine);
    const repo = () => h.storage.authorization;
    let emp1: { id: number; identifier: string };
    let emp2: { id: number; identifier: string };
    let cpo: { id: number; identifier: string };
    let cpo2: { id: number; identifier: string };
    before(async () => {
      emp1 = await aPartner(h.storage, 'emp1', ['emp']);
      emp2 = await aPartner(h.storage, 'emp2', ['oem']);
      cpo = await aPartner(h.storage, 'cpo1', ['cpo']);
      cpo2 = await aPartner(h.storage, 'cpo2', ['cpo']);
    });

    it('should replace a whitelist whole and count only UIDs that were not in it as processed', async () => {
      assert.deepEqual(await repo().whitelist(emp1.identifier), []);
      const first = await repo().replaceWhitelist(emp1.identifier, emp1.id, ['22222222', '11111111', '22222222']);
      assert.deepEqual(first, { added: 2, removed: 0, total: 2, outboxIds: [] });
      const second = await repo().replaceWhitelist(emp1.identifier, emp1.id, ['33333333', '22222222']);
      assert.deepEqual(second, { added: 1, removed: 1, total: 2, outboxIds: [] });
      assert.deepEqual(await repo().whitelist(emp1.identifier), ['22222222', '33333333']);
      assert.deepEqual(await repo().whitelistHit('33333333'), { partnerId: emp1.id, partnerIdentifier: emp1.identifier });
      const emptied = await repo().replaceWhitelist(emp1.identifier, emp1.id, []);
      assert.deepEqual(emptied, { added: 0, removed: 2, total: 0, outboxIds: [] });
      assert.equal(await repo().whitelistHit('22222222'), undefined);
    });

    it('should diff a list of 120,000 UIDs against the previous one', async () => {
      const uid = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
      const a = Array.from({ length: 120_000 }, (_, i) => uid(i));
      const b = Array.from({ length: 120_000 }, (_, i) => uid(i + 60_000)); // half overlaps
      assert.equal((await repo().replaceWhitelist(emp2.identifier, emp2.id, a)).added, 120_000);
      const r = await repo().replaceWhitelist(emp2.identifier, emp2.id, b);
      assert.deepEqual({ added: r.added, removed: r.removed, total: r.total }, { added: 60_000, removed: 60_000, total: 120_000 });
      const list = await repo().whitelist(emp2.identifier);
      assert.deepEqual([list.length, list[0], list.at(-1)], [120_000, uid(60_000), uid(179_999)]);
      assert.equal(await repo().whitelistHit(uid(0)), undefined);
      await repo().replaceWhitelist(emp2.identifier, emp2.id, []);
    });

    it('should answer a UID on two lists from the partner with the lowest id', async () => {
      await repo().replaceWhitelist(emp2.identifier, emp2.id, ['AAAAAAAA']);
      await repo().replaceWhitelist(emp1.identifier, emp1.id, ['AAAAAAAA']);
      assert.deepEqual(await repo().whitelistHit('AAAAAAAA'), { partnerId: emp1.id, partnerIdentifier: emp1.identifier });
    });

    it('should refuse a second account with the same EVCO ID or an RFID that another account holds', async () => {
      const a = await repo().addAccount({ evcoId: 'DE*8PS*000000001*A', rfids: ['0A0A0A0A', '0A0A0A0A'], locked: false, hasPayment: true });
      assert.deepEqual({ ...a, id: 0, createdAt: '' }, { id: 0, evcoId: 'DE*8PS*000000001*A', rfids: ['0A0A0A0A'], locked: false, hasPayment: true, createdAt: '' });
      await assert.rejects(repo().addAccount({ evcoId: 'DE*8PS*000000001*A', rfids: ['0B0B0B0B'], locked: false, hasPayment: true }), (e: unknown) => e instanceof AccountConflictError && e.kind === 'evco-id');
      await assert.rejects(repo().addAccount({ evcoId: 'DE*8PS*000000002*A', rfids: ['0B0B0B0B', '0A0A0A0A'], locked: false, hasPayment: true }), (e: unknown) => e instanceof AccountConflictError && e.kind === 'uid' && /0A0A0A0A/.test(e.message));
      // The refused add left nothing behind.
      assert.equal(await repo().accountByUid('0B0B0B0B'), undefined);
      assert.equal(await repo().accountByEvcoId('DE*8PS*000000002*A'), undefined);
      assert.equal((await repo().accountByUid('0A0A0A0A'))?.evcoId, 'DE*8PS*000000001*A');
      assert.deepEqual(await repo().accountByEvcoId('DE*8PS*000000001*A'), a);
    });

    it('should list accounts in the order added, each with its UIDs sorted', async () => {
      await repo().addAccount({ evcoId: 'DE*8PS*000000005*A', rfids: ['F0F0F0F0', '01010101'], locked: false, hasPayment: false });
      const list = await repo().listAccounts();
      assert.deepEqual(list.map((x) => [x.evcoId, x.rfids, x.hasPayment]), [['DE*8PS*000000001*A', ['0A0A0A0A'], true], ['DE*8PS*000000005*A', ['01010101', 'F0F0F0F0'], false]]);
    });

    it('should merge every whitelist with the cards of active accounts only', async () => {
      await repo().addAccount({ evcoId: 'DE*8PS*000000003*A', rfids: ['0C0C0C0C'], locked: true, hasPayment: true });
      await repo().addAccount({ evcoId: 'DE*8PS*000000004*A', rfids: ['0D0D0D0D'], locked: false, hasPayment: false });
      assert.deepEqual(await repo().mergedWhitelist(), ['0A0A0A0A', 'AAAAAAAA']);
      const unlocked = await repo().setAccountLocked('DE*8PS*000000003*A', false);
      assert.equal(unlocked?.locked, false);
      assert.deepEqual(await repo().mergedWhitelist(), ['0A0A0A0A', '0C0C0C0C', 'AAAAAAAA']);
      assert.equal(await repo().setAccountLocked('DE*8PS*999999999*A', true), undefined);
    });

    it('should enqueue the merged list per CPO in the change and supersede that CPO\'s older unsent pushes', async () => {
      const push = { targets: [{ partnerId: cpo.id, partnerIdentifier: cpo.identifier }, { partnerId: cpo2.id, partnerIdentifier: cpo2.identifier }], now: 5_000 };
      const r1 = await repo().replaceWhitelist(emp1.identifier, emp1.id, ['AAAAAAAA', 'BBBBBBBB'], push);
      assert.equal(r1.outboxIds.length, 2);
      await h.storage.outbox.markDelivered(r1.outboxIds[1]!, 5_000, 0); // CPO 2 got it
      const unchanged = await repo().replaceWhitelist(emp1.identifier, emp1.id, ['BBBBBBBB', 'AAAAAAAA'], push);
      assert.deepEqual(unchanged.outboxIds, [], 'an unchanged list is not pushed again');
      await repo().setAccountLocked('DE*8PS*000000003*A', true, push);
      const rows = (await h.storage.outbox.list({ partnerId: cpo.id })).reverse();
      assert.deepEqual(rows.map((r) => [r.call, r.subject, r.state, r.createdAt]), [['rfid-post', 'whitelist', 'superseded', 5_000], ['rfid-post', 'whitelist', 'pending', 5_000]]);
      assert.deepEqual(rows[1]!.payload, { rfids: ['0A0A0A0A', 'AAAAAAAA', 'BBBBBBBB'], 'partner-identifier': cpo.identifier });
      assert.deepEqual((await h.storage.outbox.list({ partnerId: cpo2.id })).reverse().map((r) => r.state), ['delivered', 'pending']);
      // Locking an account without payment, or locking it again, pushes nothing.
      const before = (await h.storage.outbox.list({ partnerId: cpo.id })).length;
      await repo().setAccountLocked('DE*8PS*000000004*A', true, push);
      await repo().setAccountLocked('DE*8PS*000000003*A', true, push);
      assert.equal((await h.storage.outbox.list({ partnerId: cpo.id })).length, before);
      // A new active account with cards pushes; one without cards does not.
      await repo().addAccount({ evcoId: 'DE*8PS*000000006*A', rfids: [], locked: false, hasPayment: true }, push);
      assert.equal((await h.storage.outbox.list({ partnerId: cpo.id })).length, before);
      await repo().addAccount({ evcoId: 'DE*8PS*000000007*A', rfids: ['07070707'], locked: false, hasPayment: true }, push);
      const latest = (await h.storage.outbox.list({ partnerId: cpo.id, state: 'pending' }));
      assert.equal(latest.length, 1);
      assert.ok((latest[0]!.payload as { rfids: string[] }).rfids.includes('07070707'));
    });

    if (engine === 'postgres') {
      it('should not supersede a whitelist push another hub is sending: the newer push waits behind it', async () => {
        const push = (now: number) => ({ targets: [{ partnerId: cpo.id, partnerIdentifier: cpo.identifier }], now });
        const [sending] = (await h.storage.outbox.due(6_000, 50, 30_000, { perPartner: 50, partner: cpo.id })).map((e) => e.id);
        assert.ok(sending, 'the pending push of the test before is claimed');
        await repo().addAccount({ evcoId: 'DE*8PS*000000008*A', rfids: ['08080808'], locked: false, hasPayment: true }, push(7_000));
        const rows = await h.storage.outbox.list({ partnerId: cpo.id, state: 'pending' });
        assert.deepEqual(rows.map((r) => r.id).sort((x, y) => x - y).slice(0, 1), [sending], 'the push in flight stays open');
        assert.deepEqual((await h.storage.outbox.due(7_000, 50, 30_000, { perPartner: 50, partner: cpo.id })).map((e) => e.id), [], 'the new push waits behind it');
        await h.storage.outbox.markDelivered(sending, 7_500, 0);
        const next = (await h.storage.outbox.due(7_500, 50, 30_000, { perPartner: 50, partner: cpo.id })).map((e) => e.id);
        assert.equal(next.length, 1);
        await h.storage.outbox.markDelivered(next[0]!, 8_000, 0);
      });
    }

    it('should remember the latest authorization of a UID and find it by a non-normalized UID', async () => {
      assert.equal(await repo().authorizedBy('12345678'), undefined);
      await repo().recordAuthorization('12345678', { partnerId: null, evcoId: 'DE*8PS*000000001*A' }, new Date());
      assert.deepEqual(await repo().authorizedBy('12345678'), { partnerId: null, evcoId: 'DE*8PS*000000001*A' });
      await repo().recordAuthorization('12345678', { partnerId: emp2.id }, new Date());
      assert.deepEqual(await repo().authorizedBy('12345678'), { partnerId: emp2.id });
      await repo().recordAuthorization('00A2B3C4', { partnerId: emp1.id }, new Date());
      assert.deepEqual(await repo().authorizedBy('a2b3c4'), { partnerId: emp1.id });
    });
  });
}
