/** SessionRepository and CdrRepository on a real SQLite file. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/cli.js';
import type { ConnectorOwner } from '../sessions.js';
import { openSqliteStorage } from './index.js';

describe('SqliteSessions and SqliteCdrs', () => {
  const tmp = tempDir();
  let storage: Awaited<ReturnType<typeof openSqliteStorage>>;
  let cpo: number;
  let emp: number;
  let connector: ConnectorOwner;
  before(async () => {
    storage = await openSqliteStorage(`sqlite:${join(tmp.dir, 's.db')}`);
    const add = (name: string, roles: Array<'cpo' | 'emp' | 'fleet'>) => storage.partners.add({ name, roles, partnerIdentifiers: [`${name}-identifier-0000000`], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
    cpo = (await add('cpo', ['cpo'])).id;
    emp = (await add('emp', ['emp'])).id;
    await storage.sqlite.write((db) => {
      db.prepare("INSERT INTO stations (id, partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, data, static_changed_at, created_at) VALUES (1, ?, 'cpo-identifier-0000000', 'S1', 'S', 1, 2, '{}', 0, 0)").run(cpo);
      db.prepare("INSERT INTO connectors (id, station_id, position, evse_id, evse_key, type, speed) VALUES (1356, 1, 0, 'DE*CPO*E1', 'DECPOE1', 'Type2', 22)").run();
    });
    connector = (await storage.sessions.connectorByEvseKey('DECPOE1'))!;
  });
  after(async () => {
    await storage.close();
    tmp.remove();
  });

  it('should resolve a live connector by EVSE key or hub id with its CPO, and not a deleted one', async () => {
    assert.deepEqual(connector, { connectorId: 1356, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', cpoPartnerId: cpo, cpoIdentifier: 'cpo-identifier-0000000' });
    assert.deepEqual(await storage.sessions.connectorById(1356), connector);
    await storage.sqlite.write((db) => db.prepare('UPDATE stations SET deleted = 1').run());
    assert.equal(await storage.sessions.connectorById(1356), undefined);
    await storage.sqlite.write((db) => db.prepare('UPDATE stations SET deleted = 0').run());
  });

  it('should record sessions, close older ones on the same EVSE, and find the one a CDR belongs to', async () => {
    const base = { partnerId: emp, connector, userType: 'evco-id', userId: 'DE*EMP*000001*2', userKey: 'DE*EMP*000001*2', stoppable: true };
    const first = await storage.sessions.recordStart({ ...base, cpoSessionId: 'c1', startedAt: 1000 });
    const second = await storage.sessions.recordStart({ ...base, startedAt: 2000 });
    assert.deepEqual((await storage.sessions.activeSessions('DECPOE1')).map((s) => s.id), [second.id]);
    assert.equal((await storage.sessions.sessionForCdr({ cpoSessionId: 'c1', evseKey: 'DECPOE1', userKey: 'x', startedAfter: 0, startedBy: 0 }))?.id, first.id);
    assert.equal((await storage.sessions.sessionForCdr({ cpoSessionId: 'zz', evseKey: 'DECPOE1', userKey: base.userKey, startedAfter: 0, startedBy: 5000 }))?.id, second.id);
    assert.equal(await storage.sessions.sessionForCdr({ cpoSessionId: 'zz', evseKey: 'DECPOE1', userKey: base.userKey, startedAfter: 3000, startedBy: 5000 }), undefined);
  });

  it('should keep reservations with their window and identifiers, and end them', async () => {
    const r = await storage.sessions.addReservation({ partnerId: emp, connector, evcoId: 'DE*EMP*000001*2', identifiers: [{ kind: 'evco-id', valueKey: 'DE*EMP*000001*2' }, { kind: 'rfid', valueKey: '12345678' }], startsAt: 1000, endsAt: 5000 });
    assert.equal((await storage.sessions.activeReservationOn(1356, 2000))?.id, r.id);
    assert.equal(await storage.sessions.activeReservationOn(1356, 5000), undefined, 'the window is over');
    assert.deepEqual((await storage.sessions.activeReservationsOf('12345678', 2000)).map((x) => x.identifiers.length), [2]);
    assert.equal(await storage.sessions.expireReservations(6000), 1);
    assert.equal(storage.sqlite.db.prepare('SELECT state FROM reservations WHERE id = ?').pluck().get(r.id), 'ended');
  });

  it('should store a CDR with its outbox rows in one write, supersede an undelivered older forward, and leave nothing on reject', async () => {
    const post = { sessionId: 'cdr-1', partnerId: cpo, partnerIdentifier: 'cpo-identifier-0000000', evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', userType: 'rfid', userId: '12345678', raw: { a: 1 }, at: 10 };
    const out = (v: number) => [{ partnerId: emp, call: 'session-post', payload: { v }, subject: 'cdr-1' }];
    const first = await storage.cdrs.save(post, () => ({ action: 'write', payload: { v: 1 }, outbox: out(1) }));
    assert.equal(first.outboxIds.length, 1);
    const second = await storage.cdrs.save({ ...post, at: 20 }, (old) => ({ action: 'write', payload: { ...old!.payload, v: 2 }, outbox: out(2) }));
    assert.equal(second.previous?.payload.v, 1);
    const rows = await storage.outbox.list({ partnerId: emp });
    assert.deepEqual(rows.map((r) => r.state), ['pending', 'superseded']);
    const cdr = (await storage.cdrs.get('cdr-1'))!;
    assert.equal(cdr.versions, 2);
    assert.deepEqual(cdr.raw, { a: 1 });
    await storage.cdrs.save({ ...post, sessionId: 'cdr-2' }, () => ({ action: 'reject', code: 220, message: 'no' }));
    assert.equal(await storage.cdrs.get('cdr-2'), undefined);
  });

  it('should keep fleet cards\' identifiers across status updates and list subscribed fleets', async () => {
    await storage.cdrs.saveFleetCards(emp, [{ fmCardUid: '23', fleetMemberUid: '35', evcoKey: 'DE*EMP*000001*2', uid: '0A0B0C0D', cardStatus: 'OPERATIONAL', data: { 'fm-card-uid': '23' } }], 1);
    await storage.cdrs.saveFleetCards(emp, [{ fmCardUid: '23', fleetMemberUid: '35', cardStatus: 'BLOCKED', data: { 'card-status': 'BLOCKED' } }], 2);
    assert.deepEqual(await storage.cdrs.fleetSubscribers({ evcoKeys: [], uids: ['0A0B0C0D'] }), [emp]);
    await storage.cdrs.saveFleetCards(emp, [{ fmCardUid: '23', fleetMemberUid: '35', cardStatus: 'REQUEST_REJECTED', data: {} }], 3);
    assert.deepEqual(await storage.cdrs.fleetSubscribers({ evcoKeys: ['DE*EMP*000001*2'], uids: [] }), []);
  });
});
