/** CdrRepository.save with `CdrPost.session`: the remote session a CDR belongs to, read inside the CDR's write, on every engine. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CdrPost } from '../cdrs.js';
import type { ConnectorOwner, RemoteSessionRecord } from '../sessions.js';
import { aPartner, aStation, stationIdOf, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`CdrRepository.save with the remote session on ${engine}`, () => {
    const h = useStorage(engine);
    let cpo: { id: number; identifier: string };
    let emp: { id: number; identifier: string };
    let connector: ConnectorOwner;
    before(async () => {
      cpo = await aPartner(h.storage, 'cpo', ['cpo']);
      emp = await aPartner(h.storage, 'emp', ['emp']);
      stationIdOf(await h.storage.poi.saveStation(aStation(cpo, { evse: ['DE*CPO*E1'] })));
      connector = (await h.storage.sessions.connectorByEvseKey('DECPOE1'))!;
    });
    const post = (sessionId: string, session?: CdrPost['session']): CdrPost => ({
      sessionId, partnerId: cpo.id, partnerIdentifier: cpo.identifier, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', userType: 'evco-id', userId: 'DE*EMP*000001*2',
      raw: {}, at: 10, ...(session ? { session } : {}),
    });
    /** The session `decide` was given for this post. */
    const seen = async (p: CdrPost): Promise<RemoteSessionRecord | undefined | 'not called'> => {
      let got: RemoteSessionRecord | undefined | 'not called' = 'not called';
      await h.storage.cdrs.save(p, (_old, _fleets, session) => { got = session; return { action: 'unchanged' }; });
      return got;
    };

    it('should hand decide the session sessionForCdr finds (by session id, else the guess), and none without the query', async () => {
      const base = { partnerId: emp.id, connector, userType: 'evco-id', userId: 'DE*EMP*000001*2', userKey: 'DE*EMP*000001*2', stoppable: true };
      const byId = await h.storage.sessions.recordStart({ ...base, cpoSessionId: 'c1', startedAt: 1000 });
      const guess = await h.storage.sessions.recordStart({ ...base, startedAt: 2000 });
      const q = { cpoSessionId: 'c1', evseKey: 'DECPOE1', userKey: base.userKey, startedAfter: 0, startedBy: 5000 };
      assert.equal(await seen(post('a')), undefined);
      assert.deepEqual(await seen(post('a', q)), await h.storage.sessions.sessionForCdr(q));
      assert.equal((await seen(post('a', q)) as RemoteSessionRecord).id, byId.id);
      assert.equal((await seen(post('a', { ...q, cpoSessionId: 'zz' })) as RemoteSessionRecord).id, guess.id);
      assert.equal(await seen(post('a', { ...q, cpoSessionId: 'zz', startedAfter: 3000 })), undefined);
    });

    it('should hand decide the fleets fleetSubscribers lists for the post\'s cards, and none without the query', async () => {
      const fleet = await aPartner(h.storage, 'fleet', ['fleet']);
      await h.storage.cdrs.saveFleetCards(fleet.id, [{ fmCardUid: '1', fleetMemberUid: '1', evcoKey: 'DE*EMP*000009*0', uid: '0A0B0C0D', cardStatus: 'OPERATIONAL', data: {} }], 1);
      const fleetsSeen = async (fleets?: CdrPost['fleets']) => {
        let got: number[] | 'not called' = 'not called';
        await h.storage.cdrs.save({ ...post('f'), ...(fleets ? { fleets } : {}) }, (_old, f) => { got = f; return { action: 'unchanged' }; });
        return got;
      };
      assert.deepEqual(await fleetsSeen(), []);
      for (const q of [{ evcoKeys: ['DE*EMP*000009*0'], uids: [] }, { evcoKeys: [''], uids: ['0A0B0C0D'] }, { evcoKeys: ['nobody'], uids: [''] }]) {
        assert.deepEqual(await fleetsSeen(q), await h.storage.cdrs.fleetSubscribers(q));
      }
      assert.deepEqual(await fleetsSeen({ evcoKeys: [], uids: ['0A0B0C0D'] }), [fleet.id]);
      assert.deepEqual(await fleetsSeen({ evcoKeys: ['nobody'], uids: [] }), []);
    });

    it('should route a written CDR by the session found in its write', async () => {
      const q = { cpoSessionId: 'late', evseKey: 'DECPOE1', userKey: 'x', startedAfter: 0, startedBy: 0 };
      await h.storage.sessions.recordStart({ partnerId: emp.id, connector, userType: 'evco-id', userId: 'x', userKey: 'x', cpoSessionId: 'late', stoppable: true, startedAt: 3000 });
      await h.storage.cdrs.save(post('b', q), (_old, _fleets, session) => ({ action: 'write', payload: { by: session?.partnerId ?? null }, outbox: [] }));
      assert.deepEqual((await h.storage.cdrs.get('b'))!.payload, { by: emp.id });
    });
  });
}
