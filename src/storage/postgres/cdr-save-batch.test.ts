/**
 * The CDR saves of one turn on PostgreSQL: one read and one write statement for all of them, and
 * a post that another hub's write overtook between the two is read and decided again on its own.
 * (What each post gets is the contract suite's: storage/contract/cdrs-one-turn.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshDatabase } from '../../../test/support/engines.js';
import type { CdrPost } from '../cdrs.js';
import type { Storage } from '../index.js';
import { aPartner } from '../contract/test-support/setup.js';
import type { NamedStatement, PgDatabase } from './database.js';
import { CdrSaveBatcher } from './cdr-save-batch.js';
import { openPostgresStorage } from './index.js';

describe('CDR saves of one turn on PostgreSQL', () => {
  let db: { url: string; drop(): Promise<void> };
  let storage: Storage & { pg: PgDatabase };
  let other: Storage;
  let cpo: { id: number; identifier: string };
  let emp: { id: number; identifier: string };
  /** The statements this storage sent, by name (or 'plain'). */
  let sent: string[] = [];
  /** Runs before each statement is sent; the test may make another hub write meanwhile. */
  let beforeSend: (name: string) => Promise<void> = async () => {};
  before(async () => {
    db = await freshDatabase('postgres');
    storage = await openPostgresStorage(db.url);
    other = await openPostgresStorage(db.url);
    cpo = await aPartner(storage, 'cpo', ['cpo']);
    emp = await aPartner(storage, 'emp', ['emp']);
    // Counts what reaches the real database; every statement is still sent as it is.
    const query = storage.pg.query.bind(storage.pg);
    storage.pg.query = (async (sql: string | NamedStatement, params?: unknown[], on?: never) => {
      const name = typeof sql === 'string' ? 'plain' : sql.name;
      await beforeSend(name);
      sent.push(name);
      return query(sql, params, on);
    }) as typeof storage.pg.query;
  });
  after(async () => {
    await other?.close();
    await storage?.close();
    await db?.drop();
  });
  const post = (sessionId: string): CdrPost => ({
    sessionId, partnerId: cpo.id, partnerIdentifier: cpo.identifier, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', userType: 'rfid', userId: '1', raw: {}, at: 10,
  });
  const forward = (sessionId: string) => [{ partnerId: emp.id, call: 'session-post', payload: { sessionId }, subject: sessionId }];

  it('should read and write the CDRs of one turn in one statement each', async () => {
    sent = [];
    const ids = Array.from({ length: 40 }, (_, i) => `turn-${i}`);
    const results = await Promise.all(ids.map((id) => storage.cdrs.save(post(id), () => ({ action: 'write', payload: { id }, outbox: forward(id) }))));
    assert.deepEqual(sent, ['oioi_cdr_read', 'oioi_cdr_write']);
    assert.deepEqual(results.map((r) => r.outboxIds.length), ids.map(() => 1));
    for (const id of ids) assert.deepEqual((await storage.cdrs.get(id))!.payload, { id });
  });

  it('should read and decide again a post whose session another hub wrote between the batch\'s read and write', async () => {
    sent = [];
    const decided: Array<[string, unknown]> = [];
    beforeSend = async (name) => {
      if (name !== 'oioi_cdr_write') return;
      beforeSend = async () => {};
      await other.cdrs.save(post('raced'), () => ({ action: 'write', payload: { by: 'other' }, outbox: forward('raced') }));
    };
    const save = (id: string) => storage.cdrs.save(post(id), (old) => {
      decided.push([id, old?.payload]);
      return { action: 'write', payload: { by: 'this', after: old?.payload ?? null }, outbox: forward(id) };
    });
    const [raced, calm] = await Promise.all([save('raced'), save('calm')]);
    assert.deepEqual(sent, ['oioi_cdr_read', 'oioi_cdr_write', 'oioi_cdr_read', 'oioi_cdr_write']);
    assert.deepEqual(decided, [['raced', undefined], ['calm', undefined], ['raced', { by: 'other' }]]);
    assert.deepEqual(raced.previous?.payload, { by: 'other' });
    assert.deepEqual((await storage.cdrs.get('raced'))!.payload, { by: 'this', after: { by: 'other' } });
    assert.deepEqual((await storage.cdrs.get('calm'))!.payload, { by: 'this', after: null });
    // Both forwards of 'raced' were queued; the other hub's, still open, is superseded by ours.
    const rows = (await storage.outbox.list({ partnerId: emp.id })).filter((r) => r.subject === 'raced');
    assert.deepEqual(rows.map((r) => [r.id === raced.outboxIds[0], r.state]), [[true, 'pending'], [false, 'superseded']]);
    assert.equal(calm.outboxIds.length, 1);
  });

  it('should save a turn larger than a statement takes in slices side by side, and a session\'s second post after its first', async () => {
    beforeSend = async () => {};
    sent = [];
    const saves = new CdrSaveBatcher(storage.pg, 3);
    const bump = (id: string) => saves.save(post(id), (old) => ({ action: 'write', payload: { n: ((old?.payload.n as number) ?? 0) + 1 }, outbox: [] }));
    // big-0 twice: the second must see the first's record, even though six other posts sit between them.
    await Promise.all(['big-0', 'big-1', 'big-2', 'big-3', 'big-4', 'big-5', 'big-0'].map(bump));
    // The first round, six sessions, in two slices of three side by side; then big-0's second post alone.
    assert.deepEqual(sent.slice(0, 4).sort(), ['oioi_cdr_read', 'oioi_cdr_read', 'oioi_cdr_write', 'oioi_cdr_write']);
    assert.deepEqual(sent.slice(4), ['oioi_cdr_read', 'oioi_cdr_write']);
    assert.deepEqual((await storage.cdrs.get('big-0'))!.payload, { n: 2 });
    for (const id of ['big-1', 'big-5']) assert.deepEqual((await storage.cdrs.get(id))!.payload, { n: 1 });
  });
});
