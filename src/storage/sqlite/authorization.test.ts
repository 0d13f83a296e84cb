/** AuthorizationRepository on a real SQLite file. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/cli.js';
import { AccountConflictError } from '../authorization.js';
import type { Storage } from '../types.js';
import { openSqliteStorage } from './index.js';

type S = Storage & { sqlite: { db: import('better-sqlite3').Database } };

async function aPartner(storage: Storage, name: string, roles: Array<'cpo' | 'emp' | 'oem'>, identifier: string) {
  return storage.partners.add({ name, roles, partnerIdentifiers: [identifier], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
}

function outboxRows(storage: S, partnerId: number) {
  return storage.sqlite.db.prepare('SELECT id, call, subject, state, payload FROM outbox WHERE partner_id = ? ORDER BY id').all(partnerId) as Array<{ id: number; call: string; subject: string; state: string; payload: string }>;
}

describe('SqliteAuthorization', () => {
  const tmp = tempDir();
  let storage: S;
  let emp1: number;
  let emp2: number;
  let cpo: number;
  let cpo2: number;
  before(async () => {
    storage = (await openSqliteStorage(`sqlite:${join(tmp.dir, 'auth.db')}`)) as S;
    emp1 = (await aPartner(storage, 'EMP one', ['emp'], 'emp-one-identifier-0001')).id;
    emp2 = (await aPartner(storage, 'EMP two', ['oem'], 'emp-two-identifier-0002')).id;
    cpo = (await aPartner(storage, 'CPO', ['cpo'], 'cpo-identifier-00000001')).id;
    cpo2 = (await aPartner(storage, 'CPO 2', ['cpo'], 'cpo-identifier-00000002')).id;
  });
  after(async () => {
    await storage.close();
    tmp.remove();
  });
  const repo = () => storage.authorization;

  it('should replace a whitelist whole and count only UIDs that were not in it as processed', async () => {
    const first = await repo().replaceWhitelist('emp-one-identifier-0001', emp1, ['11111111', '22222222', '22222222']);
    assert.deepEqual({ added: first.added, removed: first.removed, total: first.total }, { added: 2, removed: 0, total: 2 });
    const second = await repo().replaceWhitelist('emp-one-identifier-0001', emp1, ['22222222', '33333333']);
    assert.deepEqual({ added: second.added, removed: second.removed, total: second.total }, { added: 1, removed: 1, total: 2 });
    assert.deepEqual(await repo().whitelist('emp-one-identifier-0001'), ['22222222', '33333333']);
    const emptied = await repo().replaceWhitelist('emp-one-identifier-0001', emp1, []);
    assert.deepEqual({ added: emptied.added, removed: emptied.removed }, { added: 0, removed: 2 });
    assert.equal(await repo().whitelistHit('22222222'), undefined);
  });

  it('should diff a list of 120,000 UIDs against the previous one', async () => {
    const uid = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
    const a = Array.from({ length: 120_000 }, (_, i) => uid(i));
    const b = Array.from({ length: 120_000 }, (_, i) => uid(i + 60_000)); // half overlaps
    assert.equal((await repo().replaceWhitelist('emp-two-identifier-0002', emp2, a)).added, 120_000);
    const r = await repo().replaceWhitelist('emp-two-identifier-0002', emp2, b);
    assert.deepEqual({ added: r.added, removed: r.removed, total: r.total }, { added: 60_000, removed: 60_000, total: 120_000 });
    assert.equal((await repo().whitelist('emp-two-identifier-0002')).length, 120_000);
    assert.equal(await repo().whitelistHit(uid(0)), undefined);
    await repo().replaceWhitelist('emp-two-identifier-0002', emp2, []);
  });

  it('should answer a UID on two lists from the partner with the lowest id', async () => {
    await repo().replaceWhitelist('emp-two-identifier-0002', emp2, ['AAAAAAAA']);
    await repo().replaceWhitelist('emp-one-identifier-0001', emp1, ['AAAAAAAA']);
    assert.deepEqual(await repo().whitelistHit('AAAAAAAA'), { partnerId: emp1, partnerIdentifier: 'emp-one-identifier-0001' });
  });

  it('should refuse a second account with the same EVCO ID or an RFID that another account holds', async () => {
    const a = await repo().addAccount({ evcoId: 'DE*8PS*000000001*A', rfids: ['0A0A0A0A', '0A0A0A0A'], locked: false, hasPayment: true });
    assert.deepEqual(a.rfids, ['0A0A0A0A']);
    await assert.rejects(repo().addAccount({ evcoId: 'DE*8PS*000000001*A', rfids: ['0B0B0B0B'], locked: false, hasPayment: true }), (e: unknown) => e instanceof AccountConflictError && e.kind === 'evco-id');
    await assert.rejects(repo().addAccount({ evcoId: 'DE*8PS*000000002*A', rfids: ['0B0B0B0B', '0A0A0A0A'], locked: false, hasPayment: true }), (e: unknown) => e instanceof AccountConflictError && e.kind === 'uid' && /0A0A0A0A/.test(e.message));
    // The refused add left nothing behind.
    assert.equal(await repo().accountByUid('0B0B0B0B'), undefined);
    assert.equal((await repo().accountByUid('0A0A0A0A'))?.evcoId, 'DE*8PS*000000001*A');
  });

  it('should merge every whitelist with the cards of active accounts only', async () => {
    await repo().addAccount({ evcoId: 'DE*8PS*000000003*A', rfids: ['0C0C0C0C'], locked: true, hasPayment: true });
    await repo().addAccount({ evcoId: 'DE*8PS*000000004*A', rfids: ['0D0D0D0D'], locked: false, hasPayment: false });
    assert.deepEqual(await repo().mergedWhitelist(), ['0A0A0A0A', 'AAAAAAAA']);
    await repo().setAccountLocked('DE*8PS*000000003*A', false);
    assert.deepEqual(await repo().mergedWhitelist(), ['0A0A0A0A', '0C0C0C0C', 'AAAAAAAA']);
    assert.equal(await repo().setAccountLocked('DE*8PS*999999999*A', true), undefined);
  });

  it('should enqueue the merged list per CPO in the change and supersede that CPO\'s older unsent pushes', async () => {
    const push = { targets: [{ partnerId: cpo, partnerIdentifier: 'cpo-identifier-00000001' }, { partnerId: cpo2, partnerIdentifier: 'cpo-identifier-00000002' }], now: Date.now() };
    const r1 = await repo().replaceWhitelist('emp-one-identifier-0001', emp1, ['AAAAAAAA', 'BBBBBBBB'], push);
    assert.equal(r1.outboxIds.length, 2);
    storage.sqlite.db.prepare("UPDATE outbox SET state = 'delivered' WHERE id = ?").run(r1.outboxIds[1]); // CPO 2 got it
    const unchanged = await repo().replaceWhitelist('emp-one-identifier-0001', emp1, ['BBBBBBBB', 'AAAAAAAA'], push);
    assert.deepEqual(unchanged.outboxIds, [], 'an unchanged list is not pushed again');
    await repo().setAccountLocked('DE*8PS*000000003*A', true, push);
    const rows = outboxRows(storage, cpo);
    assert.deepEqual(rows.map((r) => [r.call, r.subject, r.state]), [['rfid-post', 'whitelist', 'superseded'], ['rfid-post', 'whitelist', 'pending']]);
    assert.deepEqual(JSON.parse(rows[1]!.payload), { rfids: ['0A0A0A0A', 'AAAAAAAA', 'BBBBBBBB'], 'partner-identifier': 'cpo-identifier-00000001' });
    assert.deepEqual(outboxRows(storage, cpo2).map((r) => r.state), ['delivered', 'pending']);
  });

  it('should remember the latest authorization of a UID and find it by a non-normalized UID', async () => {
    assert.equal(await repo().authorizedBy('12345678'), undefined);
    await repo().recordAuthorization('12345678', { partnerId: null, evcoId: 'DE*8PS*000000001*A' }, new Date());
    assert.deepEqual(await repo().authorizedBy('12345678'), { partnerId: null, evcoId: 'DE*8PS*000000001*A' });
    await repo().recordAuthorization('12345678', { partnerId: emp2 }, new Date());
    assert.deepEqual(await repo().authorizedBy('12345678'), { partnerId: emp2 });
    await repo().recordAuthorization('00A2B3C4', { partnerId: emp1 }, new Date());
    assert.deepEqual(await repo().authorizedBy('a2b3c4'), { partnerId: emp1 });
  });
});
