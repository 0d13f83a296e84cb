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
import { FRONT_SQL } from './outbox.js';

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

  it('should record the delivered marks of one turn in one write, each caller answered after its commit', async () => {
    const ids = await storage.outbox.enqueue([1, 2, 3].map((n) => ({ partnerId: b, call: 'session-post', payload: { mark: n } })), 70_000);
    let writes = 0;
    const write = storage.sqlite.write.bind(storage.sqlite);
    storage.sqlite.write = ((fn: never) => (writes++, write(fn))) as typeof storage.sqlite.write;
    try {
      await Promise.all(ids.map((id, n) => storage.outbox.markDelivered(id, 70_000 + n, n)));
    } finally {
      storage.sqlite.write = write;
    }
    assert.equal(writes, 1);
    const rows = storage.sqlite.db.prepare(`SELECT state, delivered_at, last_code, attempts FROM outbox WHERE id IN (${ids.join(',')}) ORDER BY id`).all();
    assert.deepEqual(rows, ids.map((_, n) => ({ state: 'delivered', delivered_at: 70_000 + n, last_code: n, attempts: 1 })));
    await storage.outbox.markDelivered(ids[0]!, 80_000, 0); // a later mark gets a write of its own
  });

  it('should read each partner\'s queue front from the open-rows index, never by walking the table', async () => {
    // Walking the table in id order passed every row delivered so far, on every round of the worker.
    // SQLite chose that walk once it had statistics of a large queue (ANALYZE, which an operator may run).
    await storage.outbox.enqueue(Array.from({ length: 2000 }, (_, i) => ({ partnerId: b, call: 'session-post', payload: {}, subject: `plan-${i}` })), 100_000);
    storage.sqlite.db.exec('ANALYZE');
    for (const [which, sql] of Object.entries(FRONT_SQL)) {
      const plan = (storage.sqlite.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(32, which === 'one' ? b : '[]') as Array<{ detail: string }>).map((r) => r.detail);
      assert.ok(plan.some((d) => /^SEARCH h USING INDEX outbox_open/.test(d)), `${which}: ${plan.join(' / ')}`);
      assert.ok(!plan.some((d) => /^SCAN (h|o|x)\b/.test(d)), `${which}: ${plan.join(' / ')}`);
    }
  });

  it('should check a partner\'s hold in the holding rows\' index even when another index covers the open rows', async () => {
    // Given this index, SQLite checked the hold by reading every open row of the partner instead.
    const db = storage.sqlite.db;
    db.exec("CREATE INDEX outbox_open_rows_test ON outbox (partner_id, id, state) WHERE state IN ('pending','failing')");
    try {
      db.exec('ANALYZE');
      for (const [which, sql] of Object.entries(FRONT_SQL)) {
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(32, which === 'one' ? b : '[]') as Array<{ detail: string }>).map((r) => r.detail);
        assert.ok(plan.some((d) => /^SEARCH x USING INDEX outbox_holding /.test(d)), `${which}: ${plan.join(' / ')}`);
        assert.ok(!plan.some((d) => /outbox_open_rows_test/.test(d)), `${which}: ${plan.join(' / ')}`);
      }
    } finally {
      db.exec('DROP INDEX outbox_open_rows_test');
    }
  });
});
