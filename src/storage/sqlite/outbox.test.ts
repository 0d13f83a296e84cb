/** OutboxRepository on a real SQLite file. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/cli.js';
import type { Storage } from '../types.js';
import { openSqliteStorage } from './index.js';
import { insertOutboxRows } from './outbox-insert.js';

const aPartner = (storage: Storage, name: string) =>
  storage.partners.add({ name, roles: ['emp'], partnerIdentifiers: [`${name}-identifier-000000`], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });

describe('SqliteOutbox', () => {
  const tmp = tempDir();
  let storage: Awaited<ReturnType<typeof openSqliteStorage>>;
  let a: number;
  let b: number;
  before(async () => {
    storage = await openSqliteStorage(`sqlite:${join(tmp.dir, 'outbox.db')}`);
    a = (await aPartner(storage, 'a')).id;
    b = (await aPartner(storage, 'b')).id;
  });
  after(async () => {
    await storage.close();
    tmp.remove();
  });
  const repo = () => storage.outbox;

  it('should give each partner only its oldest open entry, and only when it is due', async () => {
    const [a1, a2] = await repo().enqueue([{ partnerId: a, call: 'session-post', payload: { n: 1 }, subject: 's1' }, { partnerId: a, call: 'session-post', payload: { n: 2 }, subject: 's2' }], 1000);
    const [b1] = await repo().enqueue([{ partnerId: b, call: 'rfid-post', payload: { n: 3 } }], 1000);
    assert.deepEqual((await repo().due(1000, 10)).map((e) => e.id).sort(), [a1, b1].sort());
    assert.deepEqual((await repo().due(999, 10)).map((e) => e.id), []);
    // a's head fails: a2 waits behind it (FIFO per partner), b is not held up.
    await repo().markFailed(a1!, { error: 'timeout', nextAttemptAt: 5000, dead: false });
    assert.deepEqual((await repo().due(2000, 10)).map((e) => e.id), [b1]);
    await repo().markDelivered(b1!, 2000, 0);
    assert.deepEqual((await repo().due(5000, 10)).map((e) => e.id), [a1]);
    const failed = (await repo().list({ state: 'failing' }))[0]!;
    assert.equal(failed.attempts, 1);
    assert.equal(failed.lastError, 'timeout');
    assert.deepEqual(failed.payload, { n: 1 });
    await repo().markDelivered(a1!, 5000, 11);
    assert.deepEqual((await repo().due(5000, 10)).map((e) => e.id), [a2]);
    const delivered = (await repo().list({ state: 'delivered', partnerId: a }))[0]!;
    assert.equal(delivered.lastCode, 11);
    assert.equal(delivered.deliveredAt, 5000);
    await repo().markDelivered(a2!, 5000, 0);
  });

  it('should move a dead entry out of the queue and put it back with retry', async () => {
    const [d1, d2] = await repo().enqueue([{ partnerId: a, call: 'session-post', payload: {} }, { partnerId: a, call: 'session-post', payload: {} }], 10_000);
    await repo().markFailed(d1!, { error: 'gone', nextAttemptAt: 20_000, dead: true });
    assert.deepEqual((await repo().due(10_000, 10)).map((e) => e.id), [d2]);
    assert.equal(await repo().retry('dead', 30_000), 1);
    const back = (await repo().list({ partnerId: a })).find((e) => e.id === d1)!;
    assert.equal(back.state, 'pending');
    assert.equal(back.attempts, 0);
    assert.equal(back.retriedAt, 30_000);
    assert.equal(back.lastError, 'gone');
    assert.equal(await repo().retry([d2!], 30_000), 0, 'a pending entry is not "retried"');
    await repo().markDelivered(d1!, 30_000, 0);
    await repo().markDelivered(d2!, 30_000, 0);
  });

  it('should signal listeners after rows inserted inside another write have committed', async () => {
    let seen = -1;
    const off = repo().onEnqueue(() => {
      seen = storage.sqlite.db.prepare("SELECT COUNT(*) FROM outbox WHERE subject = 'signal'").pluck().get() as number;
    });
    await storage.sqlite.write((db) => insertOutboxRows(db, [{ partnerId: b, call: 'session-post', payload: {}, subject: 'signal' }], 40_000));
    await new Promise((r) => setImmediate(r));
    off();
    assert.equal(seen, 1);
    const counts = await repo().counts();
    assert.ok(counts.some((c) => c.partnerId === b && c.state === 'pending' && c.count === 1));
  });
});
