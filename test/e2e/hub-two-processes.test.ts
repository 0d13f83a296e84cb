/**
 * Two `oioi hub` processes on one PostgreSQL database behind a round-robin client behave as one
 * hub (docs/deployment.md): what one stores the other answers at once, partner changes reach both
 * within a second, the outbox is worked by both without sending one attempt twice, and killing
 * one mid-load loses no acknowledged write.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { oioi } from '../support/cli.js';
import { freshDatabase, testEngines } from '../support/engines.js';
import { queryDatabase } from '../support/db-query.js';
import { send, startMockPartner, type MockPartner } from '../support/http.js';
import { aCdr, aStationPost, eventually, untilKnown } from '../support/roaming.js';

const ANNA = { 'identifier-type': 'evco-id', identifier: 'DE*EMP*000001*2' };
const up = { result: { code: 0, message: 'Success.' } };
const minimumVersion = { 'api-minimum-version-number': {} };
const STATUSES = ['Available', 'Occupied', 'Offline'] as const;

/** Runs on PostgreSQL only: skipped, visibly, when OIOI_TEST_ENGINES leaves it out. */
function needsPostgres(): string | false {
  return testEngines().includes('postgres') ? false : 'OIOI_TEST_ENGINES leaves out postgres';
}

describe('two hubs on one PostgreSQL database', { skip: needsPostgres() }, () => {
  let db: { url: string; drop(): Promise<void> };
  let a: HubProcess;
  let b: HubProcess;
  let cpoMock: MockPartner;
  let empMock: MockPartner;
  let cpo: TestPartner;
  let emp: TestPartner;
  let turn = 0;
  /** The load balancer: each request goes to the next hub in turn. */
  const roundRobin = (key: string, body: unknown) => send([a, b][turn++ % 2]!.url, key, body);
  const status = (evse: string, value: string) => ({ 'connector-post-status': { 'connector-id': evse, status: value, 'partner-identifier': cpo.partnerIdentifier } });
  const cdrPosts = (sessionId: string) => empMock.received.filter((r) => r.call === 'session-post' && r.payload['session-id'] === sessionId);

  before(async () => {
    db = await freshDatabase('postgres');
    cpoMock = await startMockPartner((r) => (r.call === 'session-start' ? { ...up, 'session-start': { 'session-id': `cpo-${r.payload['connector-id']}`, 'is-stoppable': true } } : up));
    empMock = await startMockPartner();
    // --upstream-timeout bounds the outbox lease (send time + 10 s): a killed hub's claims free up within 13 s.
    const args = ['--outbox-min-delay', '100', '--outbox-max-delay', '300', '--upstream-timeout', '3000'];
    // Both start at once on the empty database: one creates the schema while the other waits on the migration lock.
    const started = await Promise.allSettled([startHubProcess({ db: db.url, args }), startHubProcess({ db: db.url, args })]);
    [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : undefined!));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason; // the one that did start is stopped by after()
    [cpo, emp] = await Promise.all([
      a.addPartner({ name: 'CPO', roles: 'cpo', endpoint: cpoMock.url, endpointKey: 'hub-at-cpo' }),
      a.addPartner({ name: 'EMP', roles: 'emp', evcoPrefix: 'DEEMP', endpoint: empMock.url, endpointKey: 'hub-at-emp' }),
    ]);
    await Promise.all([untilKnown(a.url, [cpo.apiKey, emp.apiKey]), untilKnown(b.url, [cpo.apiKey, emp.apiKey])]);
  });

  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await cpoMock?.close();
    await empMock?.close();
    await db?.drop();
  });

  it('should answer through B a status posted through A, at once', async () => {
    const st = await send(a.url, cpo.apiKey, aStationPost(cpo.partnerIdentifier, 'S1', ['DE*CPO*E1', 'DE*CPO*E2'], 48.1, 11.5));
    assert.equal(st.body.result.code, 0, JSON.stringify(st.body));
    // B answers from its in-memory index, kept by the change log (migration 920): without the
    // database's nearest-station function, which is dropped meanwhile (a call would fail).
    const [{ def }] = await queryDatabase<{ def: string }>(db.url, "SELECT pg_get_functiondef('oioi_surface'::regproc) AS def");
    await queryDatabase(db.url, 'DROP FUNCTION oioi_surface');
    try {
      for (const value of ['Occupied', 'Available', 'Offline']) {
        assert.equal((await send(a.url, cpo.apiKey, status('DE*CPO*E1', value))).body.result.code, 0);
        const seen = await send(b.url, emp.apiKey, { 'station-get-surface': { 'min-lat': 48, 'max-lat': 48.2, 'min-long': 11.4, 'max-long': 11.6 } });
        assert.equal(seen.body.result.code, 0, JSON.stringify(seen.body));
        const statuses = Object.values(seen.body.stations[0]['connector-statuses']);
        assert.ok(statuses.includes(value), `B answers ${JSON.stringify(statuses)} right after A stored ${value}`);
      }
    } finally {
      await queryDatabase(db.url, def);
    }
  });

  it('should stop through B a session started through A', async () => {
    const start = await send(a.url, emp.apiKey, { 'session-start': { user: ANNA, 'connector-id': 'DE*CPO*E2' } });
    assert.equal(start.body.result.code, 0, JSON.stringify(start.body));
    const stop = await send(b.url, emp.apiKey, { 'session-stop': { user: ANNA, 'connector-id': 'DE*CPO*E2' } });
    assert.equal(stop.body.result.code, 0, JSON.stringify(stop.body));
    assert.equal(cpoMock.received.filter((r) => r.call === 'session-stop').at(-1)?.payload['session-id'], 'cpo-DE*CPO*E2');
    const again = await send(a.url, emp.apiKey, { 'session-stop': { user: ANNA, 'connector-id': 'DE*CPO*E2' } });
    assert.equal(again.body.result.code, 182, 'A knows B stopped it');
  });

  it('should refuse a key revoked with the CLI on both hubs within one second', async () => {
    const p = await a.addPartner({ name: 'Short-lived OEM', roles: 'oem' });
    await Promise.all([untilKnown(a.url, [p.apiKey]), untilKnown(b.url, [p.apiKey])]);
    const revoked = await oioi(['key', 'revoke', '--db', db.url, '--key', p.apiKey]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const t0 = Date.now();
    for (const hub of [a, b]) {
      while ((await send(hub.url, p.apiKey, minimumVersion)).status !== 401) {
        assert.ok(Date.now() - t0 <= 1000, `${hub.url} still accepts the revoked key after ${Date.now() - t0} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    assert.ok(Date.now() - t0 <= 1000);
  });

  it('should deliver CDRs posted alternately through A and B once per outbox attempt', async () => {
    // The EMP refuses the first attempt of every third CDR: those are sent again, once per attempt.
    const refused = new Set<string>();
    empMock.respond((r) => {
      const id = String(r.payload?.['session-id']);
      if (Number(id.split('-').at(-1)) % 3 === 0 && !refused.has(id)) {
        refused.add(id);
        return { status: 503, body: { result: { code: 100, message: 'busy' } } };
      }
      return up;
    });
    const ids = Array.from({ length: 24 }, (_, i) => `alt-${i}`);
    for (const id of ids) {
      const r = await roundRobin(cpo.apiKey, aCdr(cpo.partnerIdentifier, id, 'DE*CPO*E1', ANNA));
      assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    }
    const rows = await eventually(async () => {
      const r = await queryDatabase<{ subject: string; state: string; attempts: number; last_error: string | null }>(db.url, "SELECT subject, state, attempts, last_error FROM outbox WHERE subject LIKE 'alt-%' AND partner_id = ?", [emp.id]);
      return r.length === ids.length && r.every((x) => x.state === 'delivered') && r;
    }, 15_000, 'every CDR delivered');
    for (const row of rows) {
      assert.equal(cdrPosts(row.subject).length, row.attempts, `${row.subject}: ${cdrPosts(row.subject).length} sends for ${row.attempts} attempts`);
      assert.equal(row.attempts, refused.has(row.subject) ? 2 : 1, `${row.subject}: ${row.last_error}`);
    }
    empMock.respond(() => up);
  });

  it('should keep every acknowledged write when one hub is killed mid-load, and deliver every acknowledged CDR', async () => {
    const evses = Array.from({ length: 150 }, (_, i) => `DE*CPO*EL${i}`);
    for (const [n, part] of [evses.slice(0, 75), evses.slice(75)].entries()) {
      const r = await send(a.url, cpo.apiKey, aStationPost(cpo.partnerIdentifier, `L${n}`, part, 47 + n, 10));
      assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    }
    // Statuses and CDRs interleaved: 300 writes, each on its own connector or session.
    const work = evses.flatMap((evse, i) => [
      { kind: 'status' as const, key: evse, value: STATUSES[i % 3]!, body: status(evse, STATUSES[i % 3]!) as unknown },
      { kind: 'cdr' as const, key: `load-${i}`, value: '', body: aCdr(cpo.partnerIdentifier, `load-${i}`, 'DE*CPO*E1', ANNA) as unknown },
    ]);
    const acknowledged: typeof work = [];
    let next = 0;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      while (next < work.length) {
        const item = work[next++]!;
        if (next === 100) killed = b.kill();
        try {
          const r = await roundRobin(cpo.apiKey, item.body);
          if (r.status === 200 && r.body.result.code === 0) acknowledged.push(item);
        } catch {
          // the killed hub: no answer, so nothing was promised
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    await killed;
    assert.ok(acknowledged.length >= 150, `most writes acknowledged (${acknowledged.length} of ${work.length})`);
    assert.ok(acknowledged.length < work.length, 'some requests reached the killed hub');

    const stored = new Map((await queryDatabase<{ evse_id: string; status: string }>(db.url, "SELECT evse_id, status FROM connectors WHERE evse_id LIKE 'DE*CPO*EL%'")).map((r) => [r.evse_id, r.status]));
    const cdrs = new Set((await queryDatabase<{ session_id: string }>(db.url, "SELECT session_id FROM cdrs WHERE session_id LIKE 'load-%'")).map((r) => r.session_id));
    for (const item of acknowledged) {
      if (item.kind === 'status') assert.equal(stored.get(item.key), item.value, `acknowledged status of ${item.key}`);
      else assert.ok(cdrs.has(item.key), `acknowledged CDR ${item.key} stored`);
    }
    // Entries the killed hub had claimed stay leased (send time + 10 s) before the survivor takes them over.
    const wanted = acknowledged.filter((x) => x.kind === 'cdr').map((x) => x.key);
    await eventually(async () => wanted.every((id) => cdrPosts(id).length >= 1), 40_000, 'every acknowledged CDR at the EMP');
  });
});
