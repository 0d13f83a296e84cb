/**
 * The station-posts of one turn on PostgreSQL: one transaction, one read and one statement per
 * kind of write for all of them; posts sharing a station or an EVSE key in transactions one after
 * the other. (What each post gets is the contract suite's: storage/contract/stations-one-turn.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { freshDatabase } from '../../../../test/support/engines.js';
import { aPartner, aStation } from '../../contract/test-support/setup.js';
import type { Storage } from '../../index.js';
import type { PgDatabase } from '../database.js';
import { openPostgresStorage } from '../index.js';

describe('station-posts of one turn on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let storage: Storage & { pg: PgDatabase };
  let cpo: { id: number; identifier: string };
  /** Per transaction, the statements sent in it, by name ('plain' for SQL without one). */
  let transactions: string[][] = [];
  before(async () => {
    db = await freshDatabase('postgres');
    storage = await openPostgresStorage(db.url);
    cpo = await aPartner(storage, 'cpo', ['cpo']);
    // Records what reaches the real database; every statement is still sent as it is.
    const tx = storage.pg.tx.bind(storage.pg);
    storage.pg.tx = ((fn: (c: pg.PoolClient) => Promise<unknown>, first?: string) => {
      const sent: string[] = [];
      transactions.push(sent);
      return tx((c) => fn(new Proxy(c, {
        get(target, key) {
          if (key !== 'query') return Reflect.get(target, key);
          return (q: string | { name?: string }, ...rest: unknown[]) => {
            sent.push(typeof q === 'string' ? 'plain' : q.name ?? 'plain');
            return (target.query as (...a: unknown[]) => unknown)(q, ...rest);
          };
        },
      }) as pg.PoolClient), first);
    }) as typeof storage.pg.tx;
  });
  after(async () => {
    await storage?.close();
    await db?.drop();
  });

  it('should save the new stations of one turn in one transaction of one read and one insert', async () => {
    transactions = [];
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => storage.poi.saveStation(aStation(cpo))));
    assert.deepEqual(transactions, [['oioi_station_read', 'oioi_station_insert']]);
    assert.equal(new Set(outcomes.map((o) => o.ok && o.stationId)).size, 40);
  });

  it('should update and delete stored stations of one turn with one statement each, and keep posts of one station in order', async () => {
    const inputs = Array.from({ length: 6 }, () => aStation(cpo));
    await Promise.all(inputs.map((i) => storage.poi.saveStation(i)));
    transactions = [];
    await Promise.all([
      ...inputs.slice(0, 4).map((i) => storage.poi.saveStation({ ...i, name: 'New name', at: 5_000 })),
      ...inputs.slice(4).map((i) => storage.poi.saveStation({ ...i, deleted: true, at: 5_000 })),
      storage.poi.saveStation({ ...inputs[0]!, name: 'Newer name', at: 6_000 }),
    ]);
    assert.deepEqual(transactions, [
      ['oioi_station_read', 'oioi_station_update', 'oioi_station_delete'],
      // The second post of inputs[0], alone after the first.
      ['oioi_station_read', 'oioi_station_update'],
    ]);
  });
});
