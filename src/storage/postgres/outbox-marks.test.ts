/** The outbox's delivered marks on PostgreSQL: those of one turn in one statement, each entry its own mark. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from '../../../test/support/engines.js';
import { aPartner } from '../contract/test-support/setup.js';
import type { Storage } from '../index.js';
import type { NamedStatement, PgDatabase } from './database.js';
import { openPostgresStorage } from './index.js';

describe('outbox delivered marks on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let storage: Storage & { pg: PgDatabase };
  const sent: string[] = [];
  before(async () => {
    db = await freshDatabase('postgres');
    storage = await openPostgresStorage(db.url);
    // Records what reaches the real database; every statement is still sent as it is.
    const query = storage.pg.query.bind(storage.pg);
    storage.pg.query = ((sql: string | NamedStatement, params?: unknown[], on?: never) => {
      sent.push(typeof sql === 'string' ? 'plain' : sql.name);
      return query(sql, params, on);
    }) as typeof storage.pg.query;
  });
  after(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('should record the marks of one turn in one statement, each with its own time and code', async () => {
    const emp = await aPartner(storage, 'emp', ['emp']);
    const items = Array.from({ length: 5 }, (_, i) => ({ partnerId: emp.id, call: 'session-post', payload: { i }, subject: `s${i}` }));
    const ids = await storage.outbox.enqueue(items, 1_000);
    await storage.outbox.due(1_000, 10, 30_000, { perPartner: 10 });
    sent.length = 0;
    await Promise.all(ids.slice(0, 4).map((id, i) => storage.outbox.markDelivered(id, 2_000 + i, i)));
    assert.deepEqual(sent, ['oioi_outbox_delivered']);
    const rows = new Map((await storage.outbox.list({ partnerId: emp.id })).map((r) => [r.id, r]));
    assert.deepEqual(ids.map((id) => [rows.get(id)!.state, rows.get(id)!.deliveredAt, rows.get(id)!.attempts, rows.get(id)!.lastCode]),
      [['delivered', 2_000, 1, 0], ['delivered', 2_001, 1, 1], ['delivered', 2_002, 1, 2], ['delivered', 2_003, 1, 3], ['pending', undefined, 0, undefined]]);
  });
});
