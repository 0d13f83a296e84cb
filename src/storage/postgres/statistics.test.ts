/**
 * The hub's statistics keeper on PostgreSQL: a table that fills up after statements were
 * prepared on it empty gets analyzed within seconds, so those statements are planned again on
 * its real size; a table is analyzed again only once its rows have doubled; a locked table is
 * skipped; a hub's storage keeps statistics, a one-shot command's does not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { queryDatabase } from '../../../test/support/db-query.js';
import { freshDatabase } from '../../../test/support/engines.js';
import { eventually } from '../../../test/support/roaming.js';
import { openStorage } from '../index.js';
import { openPostgresStorage } from './index.js';
import { keepStatistics } from './statistics.js';

/** The supersede of the CDR write (cdr-save.ts), reduced to its look-up of one session's open rows. */
const SUPERSEDE_LOOKUP = {
  name: 'oioi_test_supersede_lookup',
  text: "SELECT id FROM outbox WHERE partner_id = $1 AND call = 'session-post' AND subject = $2 AND state IN ('pending', 'failing')",
};

/** Inserts `n` open outbox rows for one partner, each its own session, and has their counts reported now. */
async function addOpenRows(client: pg.Client, partnerId: number, from: number, n: number): Promise<void> {
  await client.query(
    `INSERT INTO outbox (partner_id, call, payload, subject, next_attempt_at, created_at)
     SELECT $1, 'session-post', '{}', 's' || g, 0, 0 FROM generate_series($2::int, $3::int) g`,
    [partnerId, from, from + n - 1],
  );
  // Backends report their table counters at most once a second; tests need them now.
  await client.query('SELECT pg_stat_force_next_flush()');
}

/** When `table` was last analyzed by an ANALYZE statement (not autovacuum), or null. */
async function lastAnalyze(url: string, table: string): Promise<Date | null> {
  return (await queryDatabase<{ at: Date | null }>(url, 'SELECT last_analyze AS at FROM pg_stat_user_tables WHERE relname = ?', [table]))[0]?.at ?? null;
}

/** The plan of the prepared look-up as this connection would run it now. */
async function lookupPlan(client: pg.Client, partnerId: number): Promise<string> {
  const rows = await client.query(`EXPLAIN EXECUTE ${SUPERSEDE_LOOKUP.name}(${partnerId}, 's42')`);
  return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('PostgreSQL statistics keeper', () => {
  let db: { url: string; drop(): Promise<void> };
  before(async () => {
    db = await freshDatabase('postgres');
  });
  after(() => db.drop());

  it('should analyze a table that filled up after a statement was prepared on it empty, and again only once its rows doubled', async () => {
    const storage = await openPostgresStorage(db.url);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const analyzed: string[][] = [];
    let keeper: { stop(): Promise<void> } | undefined;
    try {
      // Autovacuum off for the outbox, so only the keeper can give it statistics during the test.
      await client.query('ALTER TABLE outbox SET (autovacuum_enabled = false)');
      const emp = await storage.partners.add({ name: 'emp', roles: ['emp'], partnerIdentifiers: ['emp-stats'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
      // Past five executions PostgreSQL keeps a generic plan, here one made for an empty, never analyzed table.
      for (let i = 0; i < 6; i++) await client.query({ ...SUPERSEDE_LOOKUP, values: [emp.id, `s${i}`] });
      await addOpenRows(client, emp.id, 1, 5000);
      const before = await lookupPlan(client, emp.id);
      assert.doesNotMatch(before, /dash_outbox_subject/, `the cached plan should not know the table yet:\n${before}`);

      keeper = keepStatistics(storage.pg, { everyMs: 50, onAnalyze: (tables) => analyzed.push(tables) });
      await eventually(async () => analyzed.some((t) => t.includes('outbox')), 10_000, 'outbox analyzed');
      const afterAnalyze = await lookupPlan(client, emp.id);
      assert.match(afterAnalyze, /dash_outbox_subject/, `the look-up should be planned again by session:\n${afterAnalyze}`);

      // Every row changed, but no more of them; then 1,000 more on 5,000 analyzed: not yet due; 5,000 more: due again.
      const passes = () => analyzed.filter((t) => t.includes('outbox')).length;
      await client.query("UPDATE outbox SET attempts = attempts + 1; SELECT pg_stat_force_next_flush()");
      await addOpenRows(client, emp.id, 5001, 1000);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(passes(), 1);
      await addOpenRows(client, emp.id, 6001, 5000);
      await eventually(async () => passes() === 2, 10_000, 'outbox analyzed again');
      const stats = await storage.pg.query<{ n: number }>("SELECT reltuples::bigint AS n FROM pg_class WHERE relname = 'outbox'");
      assert.equal(stats[0]!.n, 11_000);
    } finally {
      await keeper?.stop();
      await client.end();
      await storage.close();
    }
  });

  it('should keep statistics in a hub\'s storage only, and stop with it', async () => {
    // Autovacuum off for the table, so only our ANALYZE can give it statistics.
    await queryDatabase(db.url, 'CREATE TABLE keeper_probe (id int) WITH (autovacuum_enabled = false)');
    await queryDatabase(db.url, 'INSERT INTO keeper_probe SELECT generate_series(1, 100); SELECT pg_stat_force_next_flush()');
    const command = await openStorage(db.url);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await lastAnalyze(db.url, 'keeper_probe'), null, 'a command\'s storage should not analyze');
    await command.close();

    const lines: object[] = [];
    const hub = await openStorage(db.url, { server: true, log: (line) => lines.push(line) });
    try {
      // The hub's keeper looks every 2 s.
      const line = await eventually(async () => lines.find((l) => (l as { tables?: string[] }).tables?.includes('keeper_probe')), 10_000, 'keeper_probe analyzed');
      assert.equal((line as { msg: string }).msg, 'tables analyzed');
      assert.notEqual(await lastAnalyze(db.url, 'keeper_probe'), null);
    } finally {
      await hub.close();
    }
    await queryDatabase(db.url, 'INSERT INTO keeper_probe SELECT generate_series(1, 200); SELECT pg_stat_force_next_flush()');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(lines.filter((l) => (l as { tables?: string[] }).tables?.includes('keeper_probe')).length, 1, 'a closed storage should analyze nothing');
  });

  it('should skip a table another session holds locked, rather than wait for it', async () => {
    const storage = await openPostgresStorage(db.url);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('CREATE TABLE a_free_probe (id int) WITH (autovacuum_enabled = false); CREATE TABLE b_locked_probe (id int) WITH (autovacuum_enabled = false)');
    await holder.query('INSERT INTO a_free_probe SELECT generate_series(1, 100); INSERT INTO b_locked_probe SELECT generate_series(1, 100)');
    await holder.query('SELECT pg_stat_force_next_flush()');
    // What a running ANALYZE, VACUUM or migration holds; ANALYZE waits for it unless told to skip.
    await holder.query('BEGIN; LOCK TABLE b_locked_probe IN SHARE UPDATE EXCLUSIVE MODE');
    const analyzed: string[] = [];
    const keeper = keepStatistics(storage.pg, { everyMs: 50, onAnalyze: (tables) => analyzed.push(...tables) });
    try {
      await eventually(async () => analyzed.includes('b_locked_probe'), 10_000, 'a pass over both tables ended');
      assert.ok(analyzed.includes('a_free_probe'));
      assert.notEqual(await lastAnalyze(db.url, 'a_free_probe'), null);
      assert.equal(await lastAnalyze(db.url, 'b_locked_probe'), null);
    } finally {
      const stopped = await Promise.race([keeper.stop().then(() => true), new Promise((r) => setTimeout(() => r(false), 3000))]);
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await storage.close();
      assert.equal(stopped, true, 'the keeper should stop at once, not wait for the lock');
    }
  });
});
