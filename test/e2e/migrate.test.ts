/**
 * `oioi migrate` end to end: a hub's data made through the real hub on SQLite, copied to a fresh
 * PostgreSQL database and back to a new SQLite file, then served by hubs started on the copies
 * (shared/cli.md, "More commands"; docs/deployment.md).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { oioi } from '../support/cli.js';
import { freshDatabase, testEngines } from '../support/engines.js';
import { queryDatabase } from '../support/db-query.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';
import { USAGE_CHAIN_COLUMNS } from '../../src/storage/sqlite/usage-chain.js';

const ANNA = { 'identifier-type': 'evco-id', identifier: 'DE*EMP*000001*2' };
const up = { result: { code: 0, message: 'Success.' } };
const down = { status: 503, body: { result: { code: 100, message: 'maintenance' } } };
/** Tables whose rows are compared after the round trip, with a column that orders them. */
const TABLES: Array<[string, string]> = [
  ['partners', 'id'], ['partner_identifiers', 'identifier'], ['evco_prefixes', 'prefix'], ['api_keys', 'id'],
  ['stations', 'id'], ['connectors', 'id'], ['station_usage', 'station_id, at'], ['accounts', 'id'], ['account_rfids', 'uid'],
  ['whitelist_owners', 'id'], ['whitelists', 'list_id, uid'], ['authorizations', 'uid'], ['remote_sessions', 'id'],
  ['reservations', 'id'], ['reservation_identifiers', 'reservation_id, kind, value_key'], ['cdrs', 'session_id'], ['outbox', 'id'], ['tariffs', 'scope, target'],
];

async function dump(url: string): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of TABLES) {
    const rows = await queryDatabase<Record<string, unknown>>(url, `SELECT * FROM ${table} ORDER BY ${order}`);
    // PostgreSQL's stations.location is generated from the coordinates, and SQLite's usage chains
    // are made again by a copy (sqlite/usage-chain.ts): not data of their own.
    const derived = ['location', ...(USAGE_CHAIN_COLUMNS[table] ?? [])];
    for (const r of rows) for (const column of derived) delete r[column];
    out[table] = rows;
  }
  return out;
}

/** Runs on PostgreSQL only: skipped, visibly, when OIOI_TEST_ENGINES leaves it out. */
function needsPostgres(): string | false {
  return testEngines().includes('postgres') ? false : 'OIOI_TEST_ENGINES leaves out postgres';
}

describe('oioi migrate', { skip: needsPostgres() }, () => {
  let source: HubProcess;
  let cpoMock: MockPartner;
  let empMock: MockPartner;
  let cpo: TestPartner;
  let emp: TestPartner;
  const dbs: Array<{ url: string; drop(): Promise<void> }> = [];
  let pgUrl: string;
  let backUrl: string;
  let original: Record<string, unknown[]>;

  before(async () => {
    cpoMock = await startMockPartner((r) => (r.call === 'session-start' ? { ...up, 'session-start': { 'session-id': 'sess-1', 'is-stoppable': true } } : up));
    empMock = await startMockPartner(() => down);
    source = await startHubProcess({ engine: 'sqlite', args: ['--outbox-min-delay', '100', '--outbox-max-delay', '200'] });
    [cpo, emp] = await Promise.all([
      source.addPartner({ name: 'CPO', roles: 'cpo', endpoint: cpoMock.url, endpointKey: 'hub-at-cpo' }),
      source.addPartner({ name: 'EMP', roles: 'emp', evcoPrefix: 'DEEMP', endpoint: empMock.url, endpointKey: 'hub-at-emp' }),
    ]);
    await untilKnown(source.url, [cpo.apiKey, emp.apiKey]);
    const post = async (p: TestPartner, body: unknown) => {
      const r = await send(source.url, p.apiKey, body);
      assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    };
    await post(cpo, aStationPost(cpo.partnerIdentifier, 'S1', ['DE*CPO*E1', 'DE*CPO*E2'], 48.1, 11.5));
    await post(cpo, aStationPost(cpo.partnerIdentifier, 'S2', ['DE*CPO*E3'], 48.2, 11.6));
    await post(cpo, { 'connector-post-status': { 'connector-id': 'DE*CPO*E1', status: 'Occupied', 'partner-identifier': cpo.partnerIdentifier } });
    await post(emp, { 'session-start': { user: ANNA, 'connector-id': 'DE*CPO*E1' } });
    await post(emp, { 'rfid-post': { rfids: ['04A1B2C3D4E5F6'], 'partner-identifier': emp.partnerIdentifier } });
    await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-1', 'DE*CPO*E3', ANNA));
    await post(cpo, aCdr(cpo.partnerIdentifier, 'cdr-2', 'DE*CPO*E3', ANNA));
    assert.equal((await oioi(['account', 'add', '--db', source.db, '--evco-id', 'DE*8PS*000000001*A', '--rfid', 'A1A1A1A1'])).code, 0);
    // The EMP is down: its CDRs wait in the outbox (failing), to be delivered by a hub on the copy.
    await eventually(async () => (await source.query("SELECT COUNT(*) AS n FROM outbox WHERE state = 'failing'"))[0].n === 1, 8000, 'a failed attempt');
    await source.stop();
    original = await dump(source.db);
    for (let i = 0; i < 3; i++) dbs.push(await freshDatabase(i === 2 ? 'sqlite' : 'postgres'));
    pgUrl = dbs[0]!.url;
    backUrl = dbs[2]!.url;
  });

  after(async () => {
    await source?.stop(); // already stopped unless the set-up failed half-way
    await source?.cleanup();
    await cpoMock.close();
    await empMock.close();
    for (const d of dbs) await d.drop().catch(() => undefined);
  });

  it('should copy every table from SQLite to PostgreSQL and print the count of each', async () => {
    const [r, text] = await Promise.all([oioi(['migrate', '--from', source.db, '--to', pgUrl, '--json']), oioi(['migrate', '--from', source.db, '--to', dbs[1]!.url])]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { tables: Array<{ table: string; rows: number }>; total: number };
    for (const [table] of TABLES) {
      assert.equal(report.tables.find((t) => t.table === table)?.rows, original[table]!.length, table);
    }
    assert.ok(original.outbox!.length >= 2 && original.remote_sessions!.length === 1 && original.cdrs!.length === 2 && original.whitelists!.length === 1);
    assert.equal(report.total, report.tables.reduce((n, t) => n + t.rows, 0));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^stations\s+2$/m);
    assert.match(text.stdout, /copied \d+ rows/);
    // Analyzed after the copy: a hub on it must not plan on tables without statistics (they scan
    // every row until autovacuum comes by). reltuples is what ANALYZE counted; 0 or -1 before.
    const counted = await queryDatabase<{ relname: string; reltuples: number }>(pgUrl,
      "SELECT relname, reltuples::int AS reltuples FROM pg_class WHERE relname IN ('stations', 'connectors', 'outbox') AND relkind = 'r' ORDER BY relname");
    assert.deepEqual(counted.map((r) => [r.relname, r.reltuples]), [['connectors', original.connectors!.length], ['outbox', original.outbox!.length], ['stations', 2]]);
  });

  it('should come back to SQLite unchanged, row for row', async () => {
    const r = await oioi(['migrate', '--from', pgUrl, '--to', backUrl]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await dump(backUrl), original);
    assert.deepEqual(await dump(pgUrl), original, 'PostgreSQL holds the same values as SQLite');
  });

  it('should refuse a target that already holds data with exit code 2, and leave it unchanged', async () => {
    const before = await dump(pgUrl);
    const r = await oioi(['migrate', '--from', source.db, '--to', pgUrl]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /already holds data.*--force/);
    assert.deepEqual(await dump(pgUrl), before);
  });

  it('should refuse a bad URL and a missing source with exit code 2', async () => {
    // More malformed URLs are refused the same way in src/storage/copy.test.ts (storageEngineOf).
    const cases = [
      ['--from', 'mysql://db/oioi', '--to', backUrl],
      ['--from', 'sqlite:/nonexistent/folder/hub.db', '--to', dbs[1]!.url],
    ];
    const results = await Promise.all(cases.map((args) => oioi(['migrate', ...args])));
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i]!.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^oioi migrate: .+/);
    });
  });

  it('should replace the target with --force', async () => {
    const r = await oioi(['migrate', '--from', source.db, '--to', dbs[1]!.url, '--force', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await dump(dbs[1]!.url), original);
  });

  describe('a hub on the copies', () => {
    let onPg: HubProcess;
    let onBack: HubProcess;
    before(async () => {
      empMock.respond(() => up);
      // Started one by one: a failed start must not leave the other hub running unowned.
      onPg = await startHubProcess({ db: pgUrl });
      onBack = await startHubProcess({ db: backUrl });
    });
    after(async () => {
      await Promise.all([onPg?.stop(), onBack?.stop()]);
    });

    it('should accept the copied keys and find the copied stations with their status', async () => {
      for (const hub of [onPg, onBack]) {
        const r = await send(hub.url, emp.apiKey, { 'station-get-surface': { 'min-lat': 48, 'max-lat': 48.3, 'min-long': 11.4, 'max-long': 11.7 } });
        assert.equal(r.status, 200, `${hub.engine}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.stations.length, 2, hub.engine);
        const s1 = r.body.stations.find((s: any) => Object.values(s['connector-statuses']).includes('Occupied'));
        assert.ok(s1, `${hub.engine}: the status posted before the copy`);
        // Its use too: SQLite chains its usage rows (migration 930), which a copy makes again.
        const usage = await send(hub.url, emp.apiKey, { 'station-get-usage': { 'station-id': s1.id } });
        assert.equal(usage.body['station-usage']?.['last-7-days-usage-count'], 1, `${hub.engine}: ${JSON.stringify(usage.body)}`);
      }
    });

    it('should stop the session started before the copy, and deliver the CDRs that waited in the outbox', async () => {
      const stop = await send(onPg.url, emp.apiKey, { 'session-stop': { user: ANNA, 'connector-id': 'DE*CPO*E1' } });
      assert.equal(stop.body.result.code, 0, JSON.stringify(stop.body));
      assert.equal(cpoMock.received.filter((r) => r.call === 'session-stop').at(-1)?.payload['session-id'], 'sess-1');
      await eventually(async () => {
        const ids = empMock.received.filter((r) => r.call === 'session-post' && r.apiKey === 'hub-at-emp').map((r) => r.payload['session-id']);
        return ids.includes('cdr-1') && ids.includes('cdr-2');
      }, 10_000, 'CDRs delivered from the copied outbox');
    });

    it('should hand out new ids after the copied ones (sequences moved past them)', async () => {
      const added = await onPg.addPartner({ name: 'Late CPO', roles: 'cpo' });
      assert.equal(added.id, Math.max(...original.partners!.map((p: any) => Number(p.id))) + 1);
      await untilKnown(onPg.url, [added.apiKey]);
      const r = await send(onPg.url, added.apiKey, aStationPost(added.partnerIdentifier, 'S9', ['DE*LAT*E9'], 48.15, 11.55));
      assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
      const [row] = await onPg.query("SELECT id FROM stations WHERE cpo_station_id = 'S9'");
      assert.equal(row.id, Math.max(...original.stations!.map((s: any) => Number(s.id))) + 1);
    });
  });
});
