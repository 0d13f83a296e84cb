/** OutboxRepository on every engine, plus the claim rules several PostgreSQL hubs rely on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aPartner, testEngines, useStorage } from './test-support/setup.js';
import { DUE_SQL } from '../postgres/outbox.js';
import { notifyPayloadSql, outboxNotifySql, partnersOfNotify } from '../postgres/outbox-insert.js';
import { queueFrontLength } from '../outbox.js';

for (const engine of testEngines()) {
  describe(`OutboxRepository on ${engine}`, () => {
    const h = useStorage(engine);
    const repo = () => h.storage.outbox;
    let a: number;
    let b: number;
    let c: number;
    const ids = (entries: Array<{ id: number }>) => entries.map((e) => e.id);

    it('should give each partner its oldest open entry, only when due, and let a failing subject hold back only itself', async () => {
      a = (await aPartner(h.storage, 'a', ['emp'])).id;
      b = (await aPartner(h.storage, 'b', ['emp'])).id;
      c = (await aPartner(h.storage, 'c', ['emp'])).id;
      const [a1, a2] = await repo().enqueue([{ partnerId: a, call: 'session-post', payload: { n: 1 }, subject: 's1' }, { partnerId: a, call: 'session-post', payload: { n: 2 }, subject: 's2' }], 1000);
      const [b1] = await repo().enqueue([{ partnerId: b, call: 'rfid-post', payload: { n: 3 } }], 1000);
      assert.ok(a1! < a2!, 'ids grow in the order given');
      assert.deepEqual(ids(await repo().due(999, 10)), []);
      const due = await repo().due(1000, 10);
      assert.deepEqual(ids(due), [a1, b1], 'one per partner unless asked for more');
      assert.deepEqual(due[0], { id: a1, partnerId: a, call: 'session-post', payload: { n: 1 }, subject: 's1', state: 'pending', attempts: 0, nextAttemptAt: 1000, createdAt: 1000 });
      // The partner refuses a1 on its merits: s1 waits for its back-off, s2 goes on.
      await repo().markFailed(a1!, { error: 'partner answered 230', code: 230, nextAttemptAt: 5000, dead: false });
      await repo().markDelivered(b1!, 2000, 0);
      assert.deepEqual(ids(await repo().due(2000, 10)), [a2]);
      const failed = (await repo().list({ state: 'failing' }))[0]!;
      assert.deepEqual([failed.id, failed.attempts, failed.lastError, failed.lastCode, failed.nextAttemptAt, failed.holdsPartner], [a1, 1, 'partner answered 230', 230, 5000, undefined]);
      await repo().markDelivered(a2!, 2000, 0);
      assert.deepEqual(ids(await repo().due(2000, 10)), []);
      assert.deepEqual(ids(await repo().due(5000, 10)), [a1]);
      await repo().markDelivered(a1!, 5000, 11);
      assert.deepEqual(ids(await repo().due(5000, 10)), []);
      const delivered = (await repo().list({ state: 'delivered', partnerId: a })).find((e) => e.id === a1)!;
      assert.deepEqual([delivered.id, delivered.lastCode, delivered.deliveredAt, delivered.attempts], [a1, 11, 5000, 2]);
    });

    it('should give up to `perPartner` entries side by side, the oldest open one of each subject, entries without subject one at a time', async () => {
      const p = (await aPartner(h.storage, 'wide', ['emp'])).id;
      const q = (await aPartner(h.storage, 'wide2', ['emp'])).id;
      const rows = await repo().enqueue([
        { partnerId: p, call: 'session-post', payload: {}, subject: 'x' },
        { partnerId: p, call: 'rfid-post', payload: {}, subject: 'x' }, // same subject, later: waits for the first
        { partnerId: p, call: 'session-post', payload: {} },
        { partnerId: p, call: 'session-post', payload: {} }, // no subject, like the one before: waits for it
        { partnerId: p, call: 'session-post', payload: {}, subject: 'y' },
        { partnerId: p, call: 'session-post', payload: {}, subject: 'z' },
        { partnerId: q, call: 'session-post', payload: {}, subject: 'x' },
      ], 3_000_000);
      const [x1, x2, n1, n2, y1, z1, qx] = rows as [number, number, number, number, number, number, number];
      const mine = (entries: Array<{ id: number }>) => ids(entries).filter((id) => rows.includes(id));
      assert.deepEqual(mine(await repo().due(3_000_000, 10, undefined, { perPartner: 8 })), [x1, n1, y1, z1, qx]);
      // Claimed on PostgreSQL: give them back (as a failure due now would), then ask again.
      for (const id of [x1, n1, y1, z1, qx]) await repo().markFailed(id, { error: 'e', code: 230, nextAttemptAt: 3_000_000, dead: false });
      assert.deepEqual(mine(await repo().due(3_000_000, 10, undefined, { perPartner: 3 })), [x1, n1, y1, qx], 'at most three of p');
      for (const id of [x1, n1, y1, qx]) await repo().markFailed(id, { error: 'e', code: 230, nextAttemptAt: 3_000_000, dead: false });
      assert.deepEqual(mine(await repo().due(3_000_000, 10, undefined, { perPartner: 8, partner: q })), [qx], 'one partner');
      await repo().markFailed(qx, { error: 'e', code: 230, nextAttemptAt: 3_000_000, dead: false });
      assert.deepEqual(mine(await repo().due(3_000_000, 10, undefined, { perPartner: 8, skipPartners: [q] })), [x1, n1, y1, z1], 'all but one partner');
      await repo().markDelivered(x1, 3_000_000, 0);
      await repo().markDelivered(n1, 3_000_000, 0);
      await repo().markFailed(y1, { error: 'e', code: 230, nextAttemptAt: 3_500_000, dead: false });
      await repo().markDelivered(z1, 3_000_000, 0);
      assert.deepEqual(mine(await repo().due(3_000_000, 10, undefined, { perPartner: 8 })), [x2, n2, qx], 'the next of each subject once the one before is settled');
      for (const id of [x2, n2, qx]) await repo().markDelivered(id, 3_000_000, 0);
      await repo().markDelivered(y1, 3_000_000, 0);
    });

    it('should hold a partner\'s queue behind its oldest entry that failed by the partner\'s fault, until released', async () => {
      const p = (await aPartner(h.storage, 'held', ['emp'])).id;
      const rows = await repo().enqueue(['s1', 's2', 's3', 's4'].map((subject) => ({ partnerId: p, call: 'session-post', payload: {}, subject })), 4_000_000);
      const [r1, r2, r3, r4] = rows as [number, number, number, number];
      const mine = (entries: Array<{ id: number }>) => ids(entries).filter((id) => rows.includes(id));
      assert.deepEqual(mine(await repo().due(4_000_000, 10, undefined, { perPartner: 3 })), [r1, r2, r3]);
      // The partner is down: r2 and r3 fail holding it (r3 later), r1 is refused on its merits.
      await repo().markFailed(r1, { error: 'partner answered 230', code: 230, nextAttemptAt: 4_000_500, dead: false });
      await repo().markFailed(r3, { error: 'timeout', nextAttemptAt: 4_001_000, dead: false, holdsPartner: true });
      await repo().markFailed(r2, { error: 'timeout', nextAttemptAt: 4_002_000, dead: false, holdsPartner: true });
      assert.equal((await repo().list({ partnerId: p })).find((e) => e.id === r2)!.holdsPartner, true);
      assert.deepEqual(mine(await repo().due(4_001_500, 10, undefined, { perPartner: 8 })), [], 'r4 and r1 wait behind the probe r2, not yet due');
      assert.deepEqual(mine(await repo().due(4_002_000, 10, undefined, { perPartner: 8 })), [r2], 'only the probe');
      await repo().markDelivered(r2, 4_002_100, 0);
      assert.equal(await repo().release(p), 1, 'r3 no longer holds the partner (and was due since 4_001_000)');
      assert.deepEqual(mine(await repo().due(4_002_100, 10, undefined, { perPartner: 8 })), [r4, r1, r3], 'oldest due first');
      const r3Entry = (await repo().list({ partnerId: p })).find((e) => e.id === r3)!;
      assert.deepEqual([r3Entry.holdsPartner, r3Entry.state, r3Entry.attempts], [undefined, 'failing', 1]);
      for (const id of rows) await repo().markDelivered(id, 4_003_000, 0);
      // An operator's retry also ends the hold.
      const [r5, r6] = await repo().enqueue(['s5', 's6'].map((subject) => ({ partnerId: p, call: 'session-post', payload: {}, subject })), 4_010_000);
      await repo().markFailed(r5!, { error: 'timeout', nextAttemptAt: 4_020_000, dead: false, holdsPartner: true });
      assert.deepEqual(mine(await repo().due(4_010_000, 10, undefined, { perPartner: 8 })).filter((id) => id === r6), []);
      assert.equal(await repo().retry([r5!], 4_011_000), 1);
      assert.deepEqual(ids(await repo().due(4_011_000, 10, undefined, { perPartner: 8, partner: p })), [r6, r5]);
      await repo().markDelivered(r5!, 4_011_000, 0);
      await repo().markDelivered(r6!, 4_011_000, 0);
    });

    it('should answer due entries by due time, then id, at most `limit`', async () => {
      const [x] = await repo().enqueue([{ partnerId: a, call: 'session-post', payload: {} }], 7000);
      const [y] = await repo().enqueue([{ partnerId: b, call: 'session-post', payload: {} }], 6000);
      const [z] = await repo().enqueue([{ partnerId: c, call: 'session-post', payload: {} }], 6000);
      assert.deepEqual(ids(await repo().due(8000, 2)), [y, z]);
      await repo().markDelivered(y!, 8000, 0);
      await repo().markDelivered(z!, 8000, 0);
      assert.deepEqual(ids(await repo().due(8000, 2)), [x]);
      await repo().markDelivered(x!, 8000, 0);
    });

    it('should move a dead entry out of the queue and put it back with retry', async () => {
      const [d1, d2] = await repo().enqueue([{ partnerId: a, call: 'session-post', payload: {} }, { partnerId: a, call: 'session-post', payload: {} }], 10_000);
      await repo().markFailed(d1!, { error: 'gone', code: 503, nextAttemptAt: 20_000, dead: true });
      assert.deepEqual(ids(await repo().due(10_000, 10)), [d2]);
      await repo().markFailed(d2!, { error: 'x'.repeat(2000), nextAttemptAt: 40_000, dead: false });
      assert.equal((await repo().list({ state: 'failing' })).find((e) => e.id === d2)!.lastError!.length, 1000, 'errors are cut to 1000 characters');
      assert.equal(await repo().retry('dead', 30_000), 1);
      const back = (await repo().list({ partnerId: a })).find((e) => e.id === d1)!;
      assert.deepEqual([back.state, back.attempts, back.retriedAt, back.lastError, back.lastCode, back.nextAttemptAt], ['pending', 0, 30_000, 'gone', 503, 30_000]);
      assert.equal(await repo().retry([d1!], 30_000), 0, 'a pending entry is not "retried"');
      assert.equal(await repo().retry([d2!, d2!, 999_999], 31_000), 1, 'a failing entry is');
      await repo().markDelivered(d1!, 31_000, 0);
      await repo().markDelivered(d2!, 31_000, 0);
      // A settled entry ignores a late failure report.
      await repo().markFailed(d2!, { error: 'late', nextAttemptAt: 50_000, dead: false });
      assert.equal((await repo().list({ partnerId: a })).find((e) => e.id === d2)!.state, 'delivered');
    });

    it('should list newest first with filters and a limit, and count per partner and state', async () => {
      const all = await repo().list();
      assert.deepEqual(ids(all), [...ids(all)].sort((x, y) => y - x));
      assert.equal((await repo().list({ limit: 2 })).length, 2);
      assert.ok((await repo().list({ partnerId: b })).every((e) => e.partnerId === b));
      assert.deepEqual(await repo().list({ state: 'dead' }), []);
      const counts = (await repo().counts()).filter((x) => [a, b, c].includes(x.partnerId));
      assert.deepEqual(counts, [
        { partnerId: a, state: 'delivered', count: 5 },
        { partnerId: b, state: 'delivered', count: 2 },
        { partnerId: c, state: 'delivered', count: 1 },
      ]);
    });

    it('should signal listeners after this process enqueued rows, once they are committed', async () => {
      let seen = -1;
      const whose: Array<readonly number[] | undefined> = [];
      const off = repo().onEnqueue((partners) => {
        whose.push(partners);
        void repo().list({ partnerId: c, state: 'pending' }).then((rows) => (seen = rows.length));
      });
      const enqueued = repo().enqueue([{ partnerId: c, call: 'session-post', payload: {}, subject: 'signal' }], 40_000);
      await enqueued;
      for (let i = 0; i < 50 && seen < 1; i++) await new Promise((r) => setTimeout(r, 10));
      off();
      assert.equal(seen, 1);
      // The worker skips its scan when every partner named has a lane: the ids must be the rows'
      // partners. (On PostgreSQL this process's own NOTIFY also comes back, with the same ids.)
      assert.deepEqual(whose[0], [c]);
    });

    it('should name the partners of a stored CDR\'s outbox rows to listeners, also in the NOTIFY that comes back', async () => {
      const cpo = (await aPartner(h.storage, 'cdr-cpo', ['cpo'])).id;
      const whose: Array<readonly number[] | undefined> = [];
      const off = repo().onEnqueue((partners) => whose.push(partners));
      await new Promise((r) => setTimeout(r, 200)); // on PostgreSQL: its LISTEN connection is up
      const post = { sessionId: 'signal-cdr', partnerId: cpo, partnerIdentifier: 'DE*CDR', evseId: 'DE*CDR*E1', evseKey: 'DECDRE1', userType: 'rfid', userId: '12345678', raw: {}, at: 45_000 };
      const outbox = [a, b, a].map((partnerId, n) => ({ partnerId, call: 'session-post' as const, payload: { n }, subject: `signal-cdr-${n}` }));
      const saved = await h.storage.cdrs.save(post, () => ({ action: 'write', payload: { v: 1 }, outbox }));
      assert.equal(saved.outboxIds.length, 3);
      const expected = engine === 'postgres' ? 2 : 1; // PostgreSQL: the in-process signal, then the NOTIFY
      for (let i = 0; i < 100 && whose.length < expected; i++) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100)); // nothing more comes
      off();
      // Undefined would make the worker scan every partner's queue once per CDR, and twice on PostgreSQL.
      assert.equal(whose.length, expected, JSON.stringify(whose));
      for (const partners of whose) assert.deepEqual([...new Set(partners)].sort((x, y) => x - y), [a, b].sort((x, y) => x - y));
      for (const id of saved.outboxIds) await repo().markDelivered(id, 45_000, 0);
    });

    if (engine === 'postgres') {
      it('should let two processes claim disjoint entries, keep per-partner order, and give a claim back after its lease', async () => {
        const other = await h.another();
        const p = await Promise.all(['p1', 'p2', 'p3', 'p4'].map((n) => aPartner(h.storage, n, ['emp'])));
        const rows = await repo().enqueue(p.flatMap((x) => [{ partnerId: x.id, call: 'session-post', payload: { first: true } }, { partnerId: x.id, call: 'session-post', payload: { first: false } }]), 100_000);
        const heads = rows.filter((_, i) => i % 2 === 0);
        const [one, two] = await Promise.all([repo().due(100_000, 10), other.outbox.due(100_000, 10)]);
        const claimed = [...ids(one), ...ids(two)].filter((id) => rows.includes(id));
        assert.deepEqual([...claimed].sort((x, y) => x - y), heads, 'each head once, no second entry while its head is open');
        assert.deepEqual([...ids(await repo().due(100_000, 10)), ...ids(await other.outbox.due(150_000, 10))].filter((id) => rows.includes(id)), [], 'claimed entries are not due to anyone during the lease');
        // The claiming process "died": after the lease the heads come back, still before the second entries.
        const again = ids(await other.outbox.due(100_000 + 60_000, 10)).filter((id) => rows.includes(id));
        assert.deepEqual(again.sort((x, y) => x - y), heads);
        for (const id of heads) await repo().markDelivered(id, 170_000, 0);
        assert.deepEqual(ids(await other.outbox.due(170_000, 10)).filter((id) => rows.includes(id)).sort((x, y) => x - y), rows.filter((_, i) => i % 2 === 1));
      });

      it('should keep a subject claimed by one process from another, which gets the partner\'s other subjects', async () => {
        const other = await h.another();
        const p = await aPartner(h.storage, 'two-subjects', ['emp']);
        const rows = await repo().enqueue(['s', 's', 't', 'u'].map((subject) => ({ partnerId: p.id, call: subject === 's' ? 'session-post' : 'rfid-post', payload: {}, subject })), 200_000);
        const [s1, s2, t1, u1] = rows as [number, number, number, number];
        assert.deepEqual(ids(await repo().due(200_000, 10, 30_000, { perPartner: 2, partner: p.id })), [s1, t1]);
        // s1 is in flight with the first process: s2 waits for it, u1 is the other's.
        assert.deepEqual(ids(await other.outbox.due(200_000, 10, 30_000, { perPartner: 8, partner: p.id })), [u1]);
        await repo().markDelivered(s1, 201_000, 0);
        assert.deepEqual(ids(await other.outbox.due(201_000, 10, 30_000, { perPartner: 8, partner: p.id })), [s2]);
        for (const id of [s2, t1, u1]) await repo().markDelivered(id, 202_000, 0);
      });

      it('should find the partners\' queue fronts by index seeks, not by reading the backlog', async () => {
        // The plan of the claim itself, run and rolled back, over 3,000 open rows of three partners:
        // its scans of `outbox` return the three queue fronts (32 rows each) and a few rows more.
        // `DISTINCT ON (partner_id)` read all 3,000.
        const p = await Promise.all(['seek1', 'seek2', 'seek3'].map((n) => aPartner(h.storage, n, ['emp'])));
        for (let k = 0; k < 3; k++) await repo().enqueue(Array.from({ length: 1000 }, (_, i) => ({ partnerId: p[(i + k) % 3]!.id, call: 'session-post', payload: { i } })), 900_000);
        const pool = (h.storage as unknown as { pg: { pool: import('pg').Pool } }).pg.pool;
        const client = await pool.connect();
        try {
          await client.query('ANALYZE outbox');
          // Each partner's queue front, of this test's three and of earlier tests' partners with open rows.
          const fronts = Number((await client.query(
            "SELECT sum(least(n, $1))::int AS f FROM (SELECT count(*) AS n FROM outbox WHERE state IN ('pending','failing') GROUP BY partner_id) q", [queueFrontLength(8)],
          )).rows[0].f);
          await client.query('BEGIN');
          const plan = (await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${DUE_SQL}`, [900_000, 24, 960_000, 8, queueFrontLength(8), null, []])).rows[0]['QUERY PLAN'][0].Plan;
          await client.query('ROLLBACK');
          let read = 0;
          const walk = (node: any): void => {
            if (/Scan/.test(node['Node Type']) && node['Relation Name'] === 'outbox') read += node['Actual Rows'] * node['Actual Loops'];
            for (const child of node.Plans ?? []) walk(child);
          };
          walk(plan);
          assert.ok(read < fronts + 40, `the claim read ${read} outbox rows, the fronts hold ${fronts}: ${JSON.stringify(plan)}`);
        } finally {
          client.release();
        }
      });

      it('should hold a claim for the lease its caller asks for, not longer', async () => {
        const other = await h.another();
        const p = await aPartner(h.storage, 'lease-short', ['emp']);
        const [row] = await repo().enqueue([{ partnerId: p.id, call: 'session-post', payload: {} }], 300_000);
        assert.deepEqual(ids(await repo().due(300_000, 50, 5_000)).filter((id) => id === row), [row]);
        assert.deepEqual(ids(await other.outbox.due(304_999, 50)).filter((id) => id === row), [], 'still claimed just before the lease ends');
        assert.deepEqual(ids(await other.outbox.due(305_000, 50)).filter((id) => id === row), [row], 'free again when it ends');
      });

      it('should wake another process listening for new entries', async () => {
        const other = await h.another();
        let woke = false;
        let whose: readonly number[] | undefined = [];
        const off = other.outbox.onEnqueue((partners) => ((woke = true), (whose = partners)));
        await new Promise((r) => setTimeout(r, 200)); // its LISTEN connection is up
        await repo().enqueue([{ partnerId: c, call: 'session-post', payload: {}, subject: 'cross-process' }], 200_000);
        for (let i = 0; i < 100 && !woke; i++) await new Promise((r) => setTimeout(r, 10));
        off();
        assert.equal(woke, true);
        // Named in the NOTIFY: the other process's worker skips its scan when its lanes serve them.
        assert.deepEqual(whose, [c]);
      });

      it('should take a NOTIFY without our payload (an older hub\'s, one sent by hand) as a wake for every queue', async () => {
        const other = await h.another();
        const whose: Array<readonly number[] | undefined> = [];
        const off = other.outbox.onEnqueue((partners) => whose.push(partners));
        await new Promise((r) => setTimeout(r, 200));
        const pg = (h.storage as unknown as { pg: { query(sql: string): Promise<unknown> } }).pg;
        // One at a time: NOTIFYs that arrive together reach a listener as one call (signalOutbox).
        for (const payload of ['', '12,x']) {
          whose.length = 0;
          await pg.query(`SELECT pg_notify('oioi_outbox', '${payload}')`);
          for (let i = 0; i < 100 && whose.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
          assert.deepEqual(whose, [undefined], `payload '${payload}'`);
        }
        off();
      });

      it('should keep the NOTIFY payload under PostgreSQL\'s limit: each partner once, and none named past it', async () => {
        const pg = (h.storage as unknown as { pg: { query(sql: string, params: unknown[]): Promise<Array<{ p: string }>> } }).pg;
        const payloadOf = async (partners: number[]) => (await pg.query(`SELECT ${notifyPayloadSql('$1')} AS p`, [partners]))[0]!.p;
        assert.equal(await payloadOf([40, 12, 40]), '12,40');
        assert.deepEqual(partnersOfNotify(await payloadOf([40, 12, 40])), [12, 40]);
        // 1,000 partners of 13 digits would be 14 KB: pg_notify would fail the CDR's whole write.
        const many = Array.from({ length: 1000 }, (_, i) => 1_000_000_000_000 + i);
        assert.equal(await payloadOf(many), '');
        await pg.query(`SELECT ${outboxNotifySql('$1')}`, [many]);
        assert.equal(partnersOfNotify(''), undefined);
      });

      it('should listen again a moment after its listening connection was lost', async () => {
        const other = await h.another();
        let wakes = 0;
        const off = other.outbox.onEnqueue(() => wakes++);
        await new Promise((r) => setTimeout(r, 200));
        const killed = await (h.storage as unknown as { pg: { query(sql: string): Promise<Array<{ ok: boolean }>> } }).pg.query(
          "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN oioi_outbox'",
        );
        assert.ok(killed.length >= 1 && killed.every((k) => k.ok));
        await new Promise((r) => setTimeout(r, 1500));
        wakes = 0;
        await repo().enqueue([{ partnerId: c, call: 'session-post', payload: {}, subject: 'after-reconnect' }], 300_000);
        for (let i = 0; i < 100 && wakes === 0; i++) await new Promise((r) => setTimeout(r, 10));
        off();
        assert.ok(wakes > 0);
      });
    }
  });
}
