/**
 * CdrRepository.save called for many posts in one event-loop turn, as a hub under load calls it:
 * each post decides on its own record, fleets and session and gets its own outbox rows; posts of
 * one session decide in turn; a failing post fails alone. On every engine (PostgreSQL gathers
 * such posts into one read and one write, postgres/cdr-save-batch.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CdrDecider, CdrPost, CdrSaveResult } from '../cdrs.js';
import type { ConnectorOwner, RemoteSessionRecord } from '../sessions.js';
import { aPartner, aStation, stationIdOf, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`CdrRepository.save, many posts in one turn, on ${engine}`, () => {
    const h = useStorage(engine);
    let cpo: { id: number; identifier: string };
    let emp: { id: number; identifier: string };
    let fleet: { id: number; identifier: string };
    let connector: ConnectorOwner;
    before(async () => {
      cpo = await aPartner(h.storage, 'cpo', ['cpo']);
      emp = await aPartner(h.storage, 'emp', ['emp']);
      fleet = await aPartner(h.storage, 'fleet', ['fleet']);
      stationIdOf(await h.storage.poi.saveStation(aStation(cpo, { evse: ['DE*CPO*E1'] })));
      connector = (await h.storage.sessions.connectorByEvseKey('DECPOE1'))!;
      await h.storage.cdrs.saveFleetCards(fleet.id, [{ fmCardUid: '1', fleetMemberUid: '1', evcoKey: 'DE*EMP*000009*0', uid: '0A0B0C0D', cardStatus: 'OPERATIONAL', data: {} }], 1);
    });
    const post = (sessionId: string, more: Partial<CdrPost> = {}): CdrPost => ({
      sessionId, partnerId: cpo.id, partnerIdentifier: cpo.identifier, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', userType: 'evco-id', userId: 'DE*EMP*000001*2',
      raw: { sessionId }, at: 100, ...more,
    });
    const forward = (sessionId: string, v: unknown, to = emp.id) => ({ partnerId: to, call: 'session-post', payload: { sessionId, v }, subject: sessionId });

    it('should give each post its own record, fleets, session and outbox rows, and decide posts of one session in turn', async () => {
      await h.storage.cdrs.save(post('old'), () => ({ action: 'write', payload: { v: 1 }, outbox: [forward('old', 1)] }));
      const session = await h.storage.sessions.recordStart({
        partnerId: emp.id, connector, userType: 'evco-id', userId: 'DE*EMP*000001*2', userKey: 'DE*EMP*000001*2', stoppable: true, cpoSessionId: 'c-7', startedAt: 50,
      });
      const seen = new Map<string, Array<{ old: unknown; fleets: number[]; session: RemoteSessionRecord | undefined }>>();
      const watch = (id: string, decide: CdrDecider): CdrDecider => (old, fleets, s) => {
        seen.set(id, [...(seen.get(id) ?? []), { old: old?.payload, fleets, session: s }]);
        return decide(old, fleets, s);
      };
      const saves: Array<[string, Promise<CdrSaveResult>]> = [];
      const save = (id: string, p: CdrPost, decide: CdrDecider) => saves.push([id, h.storage.cdrs.save(p, watch(id, decide))]);
      // No await between these: one turn.
      for (let i = 0; i < 12; i++) {
        const id = `new-${i}`;
        const toFleet = i % 3 === 0;
        save(id, post(id, toFleet ? { fleets: { evcoKeys: ['DE*EMP*000009*0'], uids: [] } } : {}), (old, fleets) =>
          ({ action: 'write', payload: { i, had: old ? 1 : 0 }, outbox: [forward(id, i), ...fleets.map((f) => forward(id, i, f))] }));
      }
      save('old', post('old', { at: 200 }), (old) => ({ action: 'write', payload: { v: (old!.payload.v as number) + 1 }, outbox: [forward('old', 2)] }));
      save('twice-1', post('twice'), (old) => ({ action: 'write', payload: { n: old ? (old.payload.n as number) + 1 : 1 }, outbox: [forward('twice', 1)] }));
      save('twice-2', post('twice', { at: 150 }), (old) => ({ action: 'write', payload: { n: old ? (old.payload.n as number) + 1 : 1 }, outbox: [forward('twice', 2)] }));
      save('with-session', post('with-session', { session: { cpoSessionId: 'c-7', evseKey: 'DECPOE1', userKey: 'DE*EMP*000001*2', startedAfter: 0, startedBy: 1000 } }),
        (_old, _f, s) => ({ action: 'write', payload: { session: s?.id ?? null }, outbox: [] }));
      save('unchanged', post('old', { at: 300 }), () => ({ action: 'unchanged' }));
      save('rejected', post('rejected'), () => ({ action: 'reject', code: 220, message: 'no' }));
      const results = new Map<string, CdrSaveResult | Error>();
      await Promise.all(saves.map(async ([id, p]) => results.set(id, await p.catch((e: Error) => e))));

      const rows = await h.storage.outbox.list({});
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (let i = 0; i < 12; i++) {
        const id = `new-${i}`;
        const r = results.get(id) as CdrSaveResult;
        const to = i % 3 === 0 ? [emp.id, fleet.id] : [emp.id];
        // The last decision is the one stored (SQLite's rehearsed batches decide twice).
        assert.deepEqual(seen.get(id)!.at(-1)!.fleets, i % 3 === 0 ? [fleet.id] : [], `${id}'s fleets`);
        assert.deepEqual(r.outboxIds.map((o) => [byId.get(o)?.partnerId, byId.get(o)?.payload, byId.get(o)?.state]), to.map((p) => [p, { sessionId: id, v: i }, 'pending']), `${id}'s rows`);
        assert.deepEqual((await h.storage.cdrs.get(id))!.payload, { i, had: 0 });
      }
      const old = results.get('old') as CdrSaveResult;
      assert.equal(old.previous?.payload.v, 1);
      assert.deepEqual((await h.storage.cdrs.get('old'))!.payload, { v: 2 });
      assert.deepEqual(rows.filter((r) => r.subject === 'old').map((r) => [r.payload, r.state]), [[{ sessionId: 'old', v: 2 }, 'pending'], [{ sessionId: 'old', v: 1 }, 'superseded']]);
      // The second post of 'twice' decided on the record the first left, and superseded its forward.
      assert.deepEqual(seen.get('twice-2')!.at(-1)!.old, { n: 1 });
      assert.deepEqual([(await h.storage.cdrs.get('twice'))!.payload, (await h.storage.cdrs.get('twice'))!.versions], [{ n: 2 }, 2]);
      assert.deepEqual(rows.filter((r) => r.subject === 'twice').map((r) => [r.payload, r.state]), [[{ sessionId: 'twice', v: 2 }, 'pending'], [{ sessionId: 'twice', v: 1 }, 'superseded']]);
      assert.equal(seen.get('with-session')!.at(-1)!.session?.id, session.id);
      assert.deepEqual((await h.storage.cdrs.get('with-session'))!.payload, { session: session.id });
      assert.deepEqual((results.get('unchanged') as CdrSaveResult).decision, { action: 'unchanged' });
      assert.deepEqual((results.get('rejected') as CdrSaveResult).decision, { action: 'reject', code: 220, message: 'no' });
      assert.equal(await h.storage.cdrs.get('rejected'), undefined);
      // Every row queued in the turn belongs to exactly one post's result.
      const claimed = [...results.values()].flatMap((r) => (r instanceof Error ? [] : r.outboxIds));
      const queued = rows.filter((r) => !(r.subject === 'old' && (r.payload as { v: number }).v === 1));
      assert.deepEqual([...claimed].sort((a, b) => a - b), queued.map((r) => r.id).sort((a, b) => a - b));
    });

    it('should fail only the post whose decider throws or whose record the database refuses; the others of the turn are stored', async () => {
      const ok = (id: string): CdrDecider => () => ({ action: 'write', payload: { id }, outbox: [forward(id, 1)] });
      const outcomes = await Promise.all([
        h.storage.cdrs.save(post('fine-1'), ok('fine-1')),
        h.storage.cdrs.save(post('throws'), () => { throw new Error('decider failed'); }),
        // No such partner: the foreign key refuses the record.
        h.storage.cdrs.save(post('refused', { partnerId: 987_654 }), ok('refused')),
        h.storage.cdrs.save(post('fine-2'), ok('fine-2')),
        h.storage.cdrs.save(post('fine-3'), ok('fine-3')),
      ].map((p) => p.then((r) => r.outboxIds.length, (e: Error) => e.message)));
      assert.equal(outcomes[0], 1);
      assert.match(String(outcomes[1]), /decider failed/);
      assert.match(String(outcomes[2]), /foreign key|FOREIGN KEY/i);
      assert.deepEqual([outcomes[3], outcomes[4]], [1, 1]);
      for (const id of ['fine-1', 'fine-2', 'fine-3']) assert.deepEqual((await h.storage.cdrs.get(id))!.payload, { id });
      for (const id of ['throws', 'refused']) assert.equal(await h.storage.cdrs.get(id), undefined);
      assert.deepEqual((await h.storage.outbox.list({})).filter((r) => ['throws', 'refused'].includes(r.subject ?? '')), []);
    });
  });
}
