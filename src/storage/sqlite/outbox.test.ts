/**
 * What only the SQLite engine does: writes of one event-loop turn share one transaction, and an
 * outbox signal raised inside such a write reaches listeners after its COMMIT. The repository
 * behaviour both engines share is in ../contract/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/cli.js';
import { openSqliteStorage } from './index.js';
import { insertOutboxRows } from './outbox-insert.js';

describe('SQLite write batching', () => {
  const tmp = tempDir();
  let storage: Awaited<ReturnType<typeof openSqliteStorage>>;
  let b: number;
  before(async () => {
    storage = await openSqliteStorage(`sqlite:${join(tmp.dir, 'outbox.db')}`);
    b = (await storage.partners.add({ name: 'b', roles: ['emp'], partnerIdentifiers: ['b-identifier-000000'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true })).id;
  });
  after(async () => {
    await storage.close();
    tmp.remove();
  });

  it('should signal outbox listeners after rows inserted inside another write have committed', async () => {
    let seen = -1;
    const off = storage.outbox.onEnqueue(() => {
      seen = storage.sqlite.db.prepare("SELECT COUNT(*) FROM outbox WHERE subject = 'signal'").pluck().get() as number;
    });
    await storage.sqlite.write((db) => insertOutboxRows(db, [{ partnerId: b, call: 'session-post', payload: {}, subject: 'signal' }], 40_000));
    await new Promise((r) => setImmediate(r));
    off();
    assert.equal(seen, 1);
  });

  it('should run the writes of one turn in one transaction, a failing one rolling back only itself', async () => {
    const start = storage.sqlite.db.prepare('SELECT COUNT(*) FROM outbox').pluck().get() as number;
    const writes = [
      storage.sqlite.write((db) => insertOutboxRows(db, [{ partnerId: b, call: 'session-post', payload: { n: 1 } }], 1)),
      storage.sqlite.write(() => { throw new Error('this one fails'); }),
      storage.sqlite.write((db) => insertOutboxRows(db, [{ partnerId: b, call: 'session-post', payload: { n: 2 } }], 1)),
    ];
    const outcomes = await Promise.allSettled(writes);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(storage.sqlite.db.prepare('SELECT COUNT(*) FROM outbox').pluck().get(), start + 2);
    const [first, , third] = outcomes as Array<PromiseFulfilledResult<number[]>>;
    assert.equal(third!.value[0]! - first!.value[0]!, 1, 'consecutive rows of one transaction');
  });
});
