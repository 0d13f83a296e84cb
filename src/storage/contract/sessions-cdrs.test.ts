/** SessionRepository and CdrRepository on every engine. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ReservationClashError, type ConnectorOwner } from '../sessions.js';
import { aPartner, aStation, stationIdOf, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`SessionRepository and CdrRepository on ${engine}`, () => {
    const h = useStorage(engine);
    const sessions = () => h.storage.sessions;
    let cpo: { id: number; identifier: string };
    let emp: { id: number; identifier: string };
    let station: ReturnType<typeof aStation>;
    let connector: ConnectorOwner;
    let other: ConnectorOwner;
    before(async () => {
      cpo = await aPartner(h.storage, 'cpo', ['cpo']);
      emp = await aPartner(h.storage, 'emp', ['emp', 'fleet']);
      station = aStation(cpo, { evse: ['DE*CPO*E1', 'DE*CPO*E2'] });
      stationIdOf(await h.storage.poi.saveStation(station));
      connector = (await sessions().connectorByEvseKey('DECPOE1'))!;
      other = (await sessions().connectorByEvseKey('DECPOE2'))!;
    });

    it('should resolve a live connector by EVSE key or hub id with its CPO, and not a deleted one', async () => {
      assert.deepEqual({ ...connector, connectorId: 0 }, { connectorId: 0, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', cpoPartnerId: cpo.id, cpoIdentifier: cpo.identifier });
      assert.equal(typeof connector.connectorId, 'number');
      assert.deepEqual(await sessions().connectorById(connector.connectorId), connector);
      assert.equal(await sessions().connectorByEvseKey('NOSUCHKEY'), undefined);
      assert.equal(await sessions().connectorById(999_999), undefined);
      await h.storage.poi.saveStation({ ...station, deleted: true });
      assert.equal(await sessions().connectorById(connector.connectorId), undefined);
      assert.equal(await sessions().connectorByEvseKey('DECPOE1'), undefined);
      await h.storage.poi.saveStation(station);
      assert.deepEqual(await sessions().connectorById(connector.connectorId), connector);
    });

    it('should record sessions, close older ones on the same EVSE, and find the one a CDR belongs to', async () => {
      const base = { partnerId: emp.id, connector, userType: 'evco-id', userId: 'DE*EMP*000001*2', userKey: 'DE*EMP*000001*2', stoppable: true };
      const first = await sessions().recordStart({ ...base, cpoSessionId: 'c1', startedAt: 1000 });
      assert.deepEqual({ ...first, id: 0 }, {
        id: 0, partnerId: emp.id, cpoPartnerId: cpo.id, connectorId: connector.connectorId, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1',
        userType: 'evco-id', userId: 'DE*EMP*000001*2', userKey: 'DE*EMP*000001*2', cpoSessionId: 'c1', stoppable: true, state: 'active', startedAt: 1000,
      });
      const second = await sessions().recordStart({ ...base, stoppable: false, startedAt: 2000 });
      assert.deepEqual((await sessions().activeSessions('DECPOE1')).map((s) => [s.id, s.stoppable, s.cpoSessionId]), [[second.id, false, undefined]]);
      assert.equal((await sessions().sessionForCdr({ cpoSessionId: 'c1', evseKey: 'DECPOE1', userKey: 'x', startedAfter: 0, startedBy: 0 }))?.stoppedAt, 2000);
      assert.equal((await sessions().sessionForCdr({ cpoSessionId: 'zz', evseKey: 'DECPOE1', userKey: base.userKey, startedAfter: 0, startedBy: 5000 }))?.id, second.id);
      assert.equal((await sessions().sessionForCdr({ cpoSessionId: 'zz', evseKey: 'DECPOE1', userKey: base.userKey, startedAfter: 1000, startedBy: 1000 }))?.id, first.id, 'both ends included');
      assert.equal(await sessions().sessionForCdr({ cpoSessionId: 'zz', evseKey: 'DECPOE1', userKey: base.userKey, startedAfter: 3000, startedBy: 5000 }), undefined);
      assert.equal(await sessions().sessionForCdr({ cpoSessionId: 'c1', evseKey: 'DECPOE2', userKey: 'x', startedAfter: 3000, startedBy: 5000 }), undefined, 'a session id names a session only on its EVSE');
      await sessions().markStopped(second.id, 3000);
      await sessions().markStopped(second.id, 4000);
      assert.deepEqual(await sessions().activeSessions('DECPOE1'), []);
      assert.equal((await sessions().sessionForCdr({ cpoSessionId: 'zz', evseKey: 'DECPOE1', userKey: base.userKey, startedAfter: 0, startedBy: 5000 }))?.stoppedAt, 3000, 'stopping twice keeps the first stop');
    });

    it('should keep reservations with their window and identifiers, end them, and expire them', async () => {
      const identifiers = [{ kind: 'evco-id' as const, valueKey: 'DE*EMP*000001*2' }, { kind: 'rfid' as const, valueKey: '12345678' }];
      const r = await sessions().addReservation({ partnerId: emp.id, connector, evcoId: 'DE*EMP*000001*2', identifiers, startsAt: 1000, endsAt: 5000, cpoReservationId: 'R1' });
      assert.deepEqual({ ...r, id: 0 }, {
        id: 0, connectorId: connector.connectorId, partnerId: emp.id, cpoPartnerId: cpo.id, evseId: 'DE*CPO*E1', evcoId: 'DE*EMP*000001*2',
        identifiers, startsAt: 1000, endsAt: 5000, state: 'active', cpoReservationId: 'R1',
      });
      assert.deepEqual(await sessions().activeReservationOn(connector.connectorId, 2000), r);
      assert.equal(await sessions().activeReservationOn(connector.connectorId, 999), undefined, 'not yet started');
      assert.equal(await sessions().activeReservationOn(connector.connectorId, 5000), undefined, 'the window is over');
      assert.deepEqual((await sessions().activeReservationsOf('12345678', 2000)).map((x) => x.id), [r.id]);
      assert.deepEqual(await sessions().activeReservationsOf('12345678', 5000), []);
      const r2 = await sessions().addReservation({ partnerId: emp.id, connector: other, evcoId: null, identifiers: [identifiers[1]!, identifiers[1]!], startsAt: 1000, endsAt: 9000 });
      assert.deepEqual(r2.identifiers, [identifiers[1]], 'a repeated identifier is kept once');
      assert.deepEqual((await sessions().activeReservationsOf('12345678', 2000)).map((x) => x.id), [r2.id, r.id], 'newest first');
      assert.equal(await sessions().expireReservations(6000), 1);
      assert.deepEqual((await sessions().activeReservationsOf('12345678', 2000)).map((x) => x.id), [r2.id]);
      await sessions().endReservation(r2.id, 'cancelled', 6500);
      await sessions().endReservation(r2.id, 'ended', 6600);
      assert.equal(await sessions().activeReservationOn(other.connectorId, 7000), undefined);
      assert.equal(await sessions().expireReservations(10_000), 0, 'a cancelled reservation does not expire again');
    });

    it('should refuse a second active reservation of one connector, also from another process, but not after the first one\'s window', async () => {
      const input = { partnerId: emp.id, connector, evcoId: null, identifiers: [], startsAt: 20_000, endsAt: 30_000 };
      const second = await h.another();
      const outcomes = await Promise.allSettled([sessions().addReservation(input), second.sessions.addReservation(input)]);
      assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
      const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      assert.ok(refused.reason instanceof ReservationClashError, String(refused.reason));
      assert.equal((refused.reason as ReservationClashError).connectorId, connector.connectorId);
      // The window closed without the expiry sweep: a new reservation takes its place.
      const later = await sessions().addReservation({ ...input, startsAt: 30_000, endsAt: 40_000 });
      assert.equal((await sessions().activeReservationOn(connector.connectorId, 35_000))?.id, later.id);
      await sessions().endReservation(later.id, 'cancelled', 31_000);
    });

    it('should end the reservation a start consumes, in the same write', async () => {
      const r = await sessions().addReservation({ partnerId: emp.id, connector: other, evcoId: null, identifiers: [], startsAt: 50_000, endsAt: 60_000 });
      await sessions().recordStart({ partnerId: emp.id, connector: other, userType: 'rfid', userId: '12345678', userKey: '12345678', stoppable: true, startedAt: 51_000 }, r.id);
      assert.equal(await sessions().activeReservationOn(other.connectorId, 52_000), undefined);
      assert.equal(await sessions().expireReservations(70_000), 0);
    });

    it('should store a CDR with its outbox rows in one write, supersede an undelivered older forward, and leave nothing on reject', async () => {
      const post = { sessionId: 'cdr-1', partnerId: cpo.id, partnerIdentifier: cpo.identifier, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', userType: 'rfid', userId: '12345678', raw: { a: 1 }, at: 10 };
      const out = (v: number) => [{ partnerId: emp.id, call: 'session-post', payload: { v }, subject: 'cdr-1' }];
      const payload = { v: 1, 'session-interval': { start: '2026-01-01T10:00:00Z', stop: '2026-01-01T11:00:00Z' }, 'energy-consumed': 12.5 };
      const first = await h.storage.cdrs.save(post, (old) => (old ? { action: 'unchanged' } : { action: 'write', payload, outbox: out(1) }));
      assert.equal(first.outboxIds.length, 1);
      assert.equal(first.previous, undefined);
      const second = await h.storage.cdrs.save({ ...post, raw: { a: 2 }, at: 20 }, (old) => ({ action: 'write', payload: { ...old!.payload, v: 2 }, outbox: out(2) }));
      assert.equal(second.previous?.payload.v, 1);
      const rows = await h.storage.outbox.list({ partnerId: emp.id });
      assert.deepEqual(rows.map((r) => [r.state, r.payload]), [['pending', { v: 2 }], ['superseded', { v: 1 }]]);
      assert.deepEqual(rows.map((r) => r.id), [...second.outboxIds, ...first.outboxIds]);
      const cdr = (await h.storage.cdrs.get('cdr-1'))!;
      assert.deepEqual(cdr, {
        sessionId: 'cdr-1', partnerId: cpo.id, partnerIdentifier: cpo.identifier, evseId: 'DE*CPO*E1', userType: 'rfid', userId: '12345678',
        payload: { ...payload, v: 2 }, raw: { a: 2 }, versions: 2, receivedAt: 10, updatedAt: 20,
      });
      const same = await h.storage.cdrs.save({ ...post, at: 30 }, () => ({ action: 'unchanged' }));
      assert.deepEqual([same.decision, same.outboxIds, (await h.storage.cdrs.get('cdr-1'))!.versions], [{ action: 'unchanged' }, [], 2]);
      const rejected = await h.storage.cdrs.save({ ...post, sessionId: 'cdr-2' }, () => ({ action: 'reject', code: 220, message: 'no' }));
      assert.deepEqual(rejected.decision, { action: 'reject', code: 220, message: 'no' });
      assert.equal(await h.storage.cdrs.get('cdr-2'), undefined);
      await assert.rejects(h.storage.cdrs.save({ ...post, sessionId: 'cdr-3' }, () => { throw new Error('decider failed'); }), /decider failed/);
      assert.equal(await h.storage.cdrs.get('cdr-3'), undefined);
    });

    if (engine === 'postgres') {
      it('should not supersede a forward another hub is sending: the newer version waits behind it', async () => {
        const post = { sessionId: 'cdr-claimed', partnerId: cpo.id, partnerIdentifier: cpo.identifier, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', userType: 'rfid', userId: '12345678', raw: {}, at: 1_000 };
        const out = (v: number) => [{ partnerId: emp.id, call: 'session-post', payload: { v }, subject: 'cdr-claimed' }];
        const first = await h.storage.cdrs.save(post, () => ({ action: 'write', payload: { v: 1 }, outbox: out(1) }));
        const [v1] = first.outboxIds as [number];
        const mine = (entries: Array<{ id: number }>, ids: number[]) => entries.map((e) => e.id).filter((id) => ids.includes(id));
        // A hub claims v1 and is sending it; meanwhile the CPO completes the CDR.
        assert.deepEqual(mine(await h.storage.outbox.due(1_000, 50, 30_000, { perPartner: 50, partner: emp.id }), [v1]), [v1]);
        const second = await h.storage.cdrs.save({ ...post, at: 2_000 }, (old) => ({ action: 'write', payload: { ...old!.payload, v: 2 }, outbox: out(2) }));
        const [v2] = second.outboxIds as [number];
        const states = async () => (await h.storage.outbox.list({ partnerId: emp.id })).filter((e) => e.subject === 'cdr-claimed').map((e) => [e.payload, e.state]);
        assert.deepEqual(await states(), [[{ v: 2 }, 'pending'], [{ v: 1 }, 'pending']], 'v1 is in flight: not superseded');
        const other = await h.another();
        assert.deepEqual(mine(await other.outbox.due(2_000, 50, 30_000, { perPartner: 50, partner: emp.id }), [v1, v2]), [], 'v2 waits behind v1, whichever hub asks');
        await h.storage.outbox.markDelivered(v1, 2_500, 0);
        assert.deepEqual(mine(await other.outbox.due(2_500, 50, 30_000, { perPartner: 50, partner: emp.id }), [v1, v2]), [v2]);
        await other.outbox.markDelivered(v2, 3_000, 0);
        // Once no hub holds it, an undelivered forward is superseded again as before.
        const third = await h.storage.cdrs.save({ ...post, at: 4_000 }, (old) => ({ action: 'write', payload: { ...old!.payload, v: 3 }, outbox: out(3) }));
        await h.storage.cdrs.save({ ...post, at: 5_000 }, (old) => ({ action: 'write', payload: { ...old!.payload, v: 4 }, outbox: out(4) }));
        assert.equal((await h.storage.outbox.list({ partnerId: emp.id })).find((e) => e.id === third.outboxIds[0])!.state, 'superseded');
      });
    }

    it('should let concurrent posts of one session each decide on the record the previous one left', async () => {
      const post = { sessionId: 'cdr-race', partnerId: cpo.id, partnerIdentifier: cpo.identifier, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', userType: 'rfid', userId: '1', raw: {}, at: 1 };
      const bump = () => h.storage.cdrs.save(post, (old) => ({ action: 'write', payload: { n: ((old?.payload.n as number) ?? 0) + 1 }, outbox: [] }));
      const second = await h.another();
      await Promise.all([bump(), bump(), second.cdrs.save(post, (old) => ({ action: 'write', payload: { n: ((old?.payload.n as number) ?? 0) + 1 }, outbox: [] })), bump()]);
      const cdr = (await h.storage.cdrs.get('cdr-race'))!;
      assert.deepEqual([cdr.payload.n, cdr.versions], [4, 4]);
    });

    it('should keep fleet cards\' identifiers across status updates and list subscribed fleets', async () => {
      assert.deepEqual(await h.storage.cdrs.fleetSubscribers({ evcoKeys: [], uids: [] }), []);
      assert.equal(await h.storage.cdrs.saveFleetCards(emp.id, [{ fmCardUid: '23', fleetMemberUid: '35', evcoKey: 'DE*EMP*000001*2', uid: '0A0B0C0D', cardStatus: 'OPERATIONAL', data: { 'fm-card-uid': '23' } }], 1), 1);
      await h.storage.cdrs.saveFleetCards(emp.id, [{ fmCardUid: '23', fleetMemberUid: '35', cardStatus: 'BLOCKED', data: { 'card-status': 'BLOCKED' } }], 2);
      assert.deepEqual(await h.storage.cdrs.fleetSubscribers({ evcoKeys: [], uids: ['0A0B0C0D'] }), [emp.id]);
      assert.deepEqual(await h.storage.cdrs.fleetSubscribers({ evcoKeys: ['DE*EMP*000001*2', ''], uids: [''] }), [emp.id]);
      await h.storage.cdrs.saveFleetCards(cpo.id, [{ fmCardUid: '1', fleetMemberUid: '1', uid: '0A0B0C0D', cardStatus: 'OPERATIONAL', data: {} }], 2);
      assert.deepEqual(await h.storage.cdrs.fleetSubscribers({ evcoKeys: ['DE*EMP*000001*2'], uids: ['0A0B0C0D'] }), [cpo.id, emp.id].sort((x, y) => x - y));
      // A fleet with two cards that match (one by EVCO ID, one by UID) is listed once, and the list is in id order.
      await h.storage.cdrs.saveFleetCards(emp.id, [{ fmCardUid: '24', fleetMemberUid: '36', uid: '0A0B0C0E', cardStatus: 'OPERATIONAL', data: {} }], 2);
      await h.storage.cdrs.saveFleetCards(cpo.id, [{ fmCardUid: '2', fleetMemberUid: '2', uid: '0A0B0C0F', cardStatus: 'OPERATIONAL', data: {} }], 2);
      assert.deepEqual(await h.storage.cdrs.fleetSubscribers({ evcoKeys: ['DE*EMP*000001*2'], uids: ['0A0B0C0F', '0A0B0C0E', '0A0B0C0D'] }), [cpo.id, emp.id].sort((x, y) => x - y));
      await h.storage.cdrs.saveFleetCards(emp.id, [{ fmCardUid: '23', fleetMemberUid: '35', cardStatus: 'REQUEST_REJECTED', data: {} }], 3);
      assert.deepEqual(await h.storage.cdrs.fleetSubscribers({ evcoKeys: ['DE*EMP*000001*2'], uids: [] }), []);
    });
  });
}
