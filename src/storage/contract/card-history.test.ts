/**
 * The lists' history on every engine (migration 850): replacing a list stamps the UIDs it adds and
 * keeps the latest removal of each UID it drops, and `cardHistory` gathers a card's account, list
 * entries and recorded authorization for CDR routing (hub/cdrs/card-authority.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { WHITELIST_REMOVAL_RETENTION_MS } from '../authorization.js';
import { aPartner, rawExec, rawQuery, testEngines, useStorage } from './test-support/setup.js';

/** Whether an ISO time lies within [from, to] (ms). */
const within = (iso: string | undefined, from: number, to: number) => iso !== undefined && Date.parse(iso) >= from && Date.parse(iso) <= to;

for (const engine of testEngines()) {
  describe(`Card history on ${engine}`, () => {
    const h = useStorage(engine);
    const repo = () => h.storage.authorization;
    let emp1: { id: number; identifier: string };
    let emp2: { id: number; identifier: string };
    before(async () => {
      emp1 = await aPartner(h.storage, 'emp1', ['emp']);
      emp2 = await aPartner(h.storage, 'emp2', ['emp']);
    });

    it('should stamp added UIDs and keep a removed one with when it entered and left the list', async () => {
      const t0 = Date.now();
      await repo().replaceWhitelist(emp1.identifier, emp1.id, ['A1A1A1A1', 'A2A2A2A2', 'A3A3A3A3']);
      const t1 = Date.now();
      const [listed] = (await repo().cardHistory('A1A1A1A1')).entries;
      assert.ok(listed && within(listed.addedAt, t0, t1), `addedAt ${listed?.addedAt} within the replacement`);
      assert.deepEqual({ ...listed, addedAt: undefined }, { partnerId: emp1.id, partnerIdentifier: emp1.identifier, listId: listed.listId, addedAt: undefined });

      await new Promise((r) => setTimeout(r, 5));
      const t2 = Date.now();
      await repo().replaceWhitelist(emp1.identifier, emp1.id, ['A2A2A2A2', 'A3A3A3A3']);
      const t3 = Date.now();
      const removed = (await repo().cardHistory('a1a1a1a1')).entries; // a UID as a CPO may spell it
      assert.equal(removed.length, 1);
      assert.equal(removed[0]!.addedAt, listed.addedAt, 'the removal keeps when the UID was added');
      assert.ok(within(removed[0]!.removedAt, t2, t3), `removedAt ${removed[0]!.removedAt} within the second replacement`);
      assert.equal(await repo().whitelistHit('A1A1A1A1'), undefined, 'a removed UID is no longer whitelisted');
      assert.deepEqual(await repo().mergedWhitelist(), ['A2A2A2A2', 'A3A3A3A3']);
    });

    it('should keep removals when a list is emptied, and a removal beside the entry of a UID listed again', async () => {
      await repo().replaceWhitelist(emp1.identifier, emp1.id, []);
      for (const uid of ['A2A2A2A2', 'A3A3A3A3']) {
        const [e] = (await repo().cardHistory(uid)).entries;
        assert.ok(e?.addedAt && e.removedAt && e.removedAt >= e.addedAt, `${uid} removed: ${JSON.stringify(e)}`);
      }
      await repo().replaceWhitelist(emp1.identifier, emp1.id, ['A1A1A1A1']);
      const entries = (await repo().cardHistory('A1A1A1A1')).entries.sort((a, b) => (a.removedAt ? 0 : 1) - (b.removedAt ? 0 : 1));
      assert.equal(entries.length, 2);
      assert.ok(entries[0]!.removedAt && !entries[1]!.removedAt, 'the earlier stay and the current one');
      assert.ok(entries[1]!.addedAt! > entries[0]!.removedAt!, 'listed again after it left');
    });

    it('should give the account, every list and the recorded authorization of a card', async () => {
      await repo().replaceWhitelist(emp2.identifier, emp2.id, ['B1B1B1B1']);
      await repo().replaceWhitelist(emp1.identifier, emp1.id, ['A1A1A1A1', 'B1B1B1B1']);
      await repo().recordAuthorization('B1B1B1B1', { partnerId: emp2.id, evcoId: 'DE*HIS*000000001*A' }, new Date('2026-03-01T10:00:00.000Z'));
      const history = await repo().cardHistory('B1B1B1B1');
      assert.deepEqual(history.entries.map((e) => e.partnerId).sort(), [emp1.id, emp2.id].sort());
      assert.deepEqual(history.authorized, { partnerId: emp2.id, evcoId: 'DE*HIS*000000001*A', at: '2026-03-01T10:00:00.000Z' });
      assert.equal(history.account, undefined);
      await repo().addAccount({ evcoId: 'DE*HIS*000000002*A', rfids: ['C1C1C1C1'], locked: false, hasPayment: true });
      assert.deepEqual(await repo().cardHistory('C1C1C1C1'), { account: { evcoId: 'DE*HIS*000000002*A' }, entries: [] });
      assert.deepEqual(await repo().cardHistory('D1D1D1D1'), { entries: [] });
      await repo().recordAuthorization('F1F1F1F1', { partnerId: null }, new Date('2026-03-02T10:00:00.000Z'));
      assert.deepEqual(await repo().cardHistory('F1F1F1F1'), { entries: [], authorized: { partnerId: null, at: '2026-03-02T10:00:00.000Z' } });
    });

    it('should prune removals older than the retention at the list\'s next replacement, and only that list\'s', async () => {
      const old = new Date(Date.now() - WHITELIST_REMOVAL_RETENTION_MS - 3600_000).toISOString();
      const recent = new Date(Date.now() - 3600_000).toISOString();
      const listOf = async (partnerId: number) => Number((await rawQuery<{ id: number }>(engine, h.url, `SELECT id FROM whitelist_owners WHERE partner_id = ${partnerId}`))[0]!.id);
      const [list1, list2] = [await listOf(emp1.id), await listOf(emp2.id)];
      await rawExec(engine, h.url, `INSERT INTO whitelist_removals (list_id, uid, removed_at) VALUES
        (${list1}, 'E1E1E1E1', '${old}'), (${list1}, 'E2E2E2E2', '${recent}'), (${list2}, 'E3E3E3E3', '${old}')`);
      await repo().replaceWhitelist(emp1.identifier, emp1.id, ['A1A1A1A1', 'B1B1B1B1']); // unchanged: still prunes
      assert.deepEqual((await repo().cardHistory('E1E1E1E1')).entries, []);
      assert.equal((await repo().cardHistory('E2E2E2E2')).entries.length, 1);
      assert.equal((await repo().cardHistory('E3E3E3E3')).entries.length, 1, 'another list is pruned at its own replacement');
    });
  });
}
