/**
 * SQLite answers posts that change nothing (a status the connectors already have, a card verified
 * again) from reads, without a queued write or its fsync; such an answer still waits for the fsync
 * of what it read, and never overtakes a write queued before it (engine-independent outcomes:
 * contract/unchanged-posts.test.ts).
 */
import assert from 'node:assert/strict';
import { fsync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { aPartner, aStation, useStorage } from '../contract/test-support/setup.js';
import type { SqliteDatabase } from './database.js';
import { WalSync } from './wal-sync.js';

describe('posts that change nothing on SQLite', () => {
  const h = useStorage('sqlite');
  let cpo: { id: number; identifier: string };
  let emp: { id: number; identifier: string };
  const station = () => aStation(cpo, { cpoStationId: 'unchanged-1', evse: ['DE*SQU*E1', 'DE*SQU*E2'] });
  /** The storage's database, with a count of the writes queued on it. */
  let s: SqliteDatabase;
  let writes = 0;
  before(async () => {
    cpo = await aPartner(h.storage, 'cpo', ['cpo']);
    emp = await aPartner(h.storage, 'emp', ['emp']);
    await h.storage.poi.saveStation(station());
    await h.storage.authorization.replaceWhitelist(emp.identifier, emp.id, ['0F0F0F0F']);
    s = (h.storage.poi as unknown as { s: SqliteDatabase }).s;
    const write = s.write.bind(s);
    s.write = (fn) => (writes++, write(fn));
  });

  it('should answer a status on record and a card verified again without queuing a write', async () => {
    const poi = h.storage.poi;
    const auth = h.storage.authorization;
    assert.equal(await poi.setStatus(cpo.identifier, 'DESQUE1', 'Available', 1_000), 1);
    assert.equal((await auth.verifyOffline('0F0F0F0F', new Date(1_000))).source, 'whitelist');
    const before = writes;
    assert.equal(await poi.setStatus(cpo.identifier, 'DESQUE1', 'Available', 2_000), 1);
    assert.equal((await auth.verifyOffline('0F0F0F0F', new Date(2_000))).source, 'whitelist');
    assert.equal((await auth.verifyOffline('99999999', new Date(2_000))).source, 'none');
    assert.equal(writes, before, 'nothing queued');
    assert.equal(await poi.setStatus(cpo.identifier, 'DESQUE1', 'Occupied', 3_000), 1);
    assert.equal(writes, before + 1, 'a change is written');
  });

  it('should not answer an unchanged post before the fsync of a commit it may have read', async () => {
    const poi = h.storage.poi;
    const auth = h.storage.authorization;
    await poi.setStatus(cpo.identifier, 'DESQUE1', 'Available', 4_000);
    // Swap in a WAL syncer whose fsyncs the test releases.
    const held: Array<() => void> = [];
    const internals = s as unknown as { wal: WalSync };
    await internals.wal.close();
    internals.wal = new WalSync(`${h.url.replace(/^sqlite:(\/\/)?/, '')}-wal`, (fd, done) => held.push(() => fsync(fd, done)));
    const changed = poi.setStatus(cpo.identifier, 'DESQUE2', 'Occupied', 5_000);
    while (held.length === 0) await turn();
    let answered = 0;
    const unchanged = [
      poi.setStatus(cpo.identifier, 'DESQUE1', 'Available', 5_001).then((n) => (answered++, n)),
      auth.verifyOffline('0F0F0F0F', new Date(5_001)).then((v) => (answered++, v.source)),
    ];
    for (let i = 0; i < 5; i++) await turn();
    assert.equal(answered, 0, 'held until the fsync in flight ends');
    held.shift()!();
    assert.deepEqual(await Promise.all(unchanged), [1, 'whitelist']);
    assert.equal(await changed, 1);
    while (held.length) held.shift()!();
    const internalsAfter = s as unknown as { wal: WalSync };
    await internalsAfter.wal.close();
    internalsAfter.wal = new WalSync(`${h.url.replace(/^sqlite:(\/\/)?/, '')}-wal`);
  });

  it('should answer a status after a station-post in flight as that post leaves the station', async () => {
    const poi = h.storage.poi;
    await poi.setStatus(cpo.identifier, 'DESQUE1', 'Available', 6_000);
    const [, afterDelete] = await Promise.all([poi.saveStation({ ...station(), deleted: true, at: 6_500 }), poi.setStatus(cpo.identifier, 'DESQUE1', 'Available', 6_600)]);
    assert.equal(afterDelete, 0, 'the deleted station has no live connectors');
    const [, afterUndelete] = await Promise.all([poi.saveStation({ ...station(), at: 7_000 }), poi.setStatus(cpo.identifier, 'DESQUE1', 'Available', 7_100)]);
    assert.equal(afterUndelete, 1);
  });
});
