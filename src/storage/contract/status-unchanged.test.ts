/**
 * Posts that change nothing, on every engine: a status the connectors already have is answered
 * with their count, keeps when the status last changed and leaves the rows unwritten, and a post
 * of it still in flight never gets ahead of an earlier different one; a card verified again within
 * the hour leaves its authorization on record as it was.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { aPartner, aStation, rawQuery, testEngines, useStorage, type Engine } from './test-support/setup.js';

const HOUR = 3600_000;

/** Logs every UPDATE of a connector row into `update_log` (a trigger added beside the hub's own). */
async function logConnectorUpdates(engine: Engine, url: string): Promise<void> {
  if (engine === 'sqlite') {
    const db = new Database(url.replace(/^sqlite:(\/\/)?/, ''));
    try {
      db.exec('CREATE TABLE update_log (id INTEGER); CREATE TRIGGER log_connector_update AFTER UPDATE ON connectors BEGIN INSERT INTO update_log VALUES (NEW.id); END;');
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE update_log (id bigint);
      CREATE FUNCTION log_connector_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO update_log VALUES (NEW.id); RETURN NEW; END $$;
      CREATE TRIGGER log_connector_update AFTER UPDATE ON connectors FOR EACH ROW EXECUTE FUNCTION log_connector_update();`);
  } finally {
    await client.end();
  }
}

for (const engine of testEngines()) {
  describe(`Posts that change nothing on ${engine}`, () => {
    const h = useStorage(engine);
    let cpo: { id: number; identifier: string };
    let emp1: { id: number; identifier: string };
    let emp2: { id: number; identifier: string };
    before(async () => {
      cpo = await aPartner(h.storage, 'cpo', ['cpo']);
      emp1 = await aPartner(h.storage, 'emp1', ['emp']);
      emp2 = await aPartner(h.storage, 'emp2', ['emp']);
      await h.storage.poi.saveStation(aStation(cpo, { evse: ['DE*UNC*E1', 'DE*UNC*E2'] }));
    });
    const connector = async (key: string) =>
      (await rawQuery<{ status: string; status_changed_at: number }>(engine, h.url, `SELECT status, status_changed_at FROM connectors WHERE evse_key = '${key}'`))
        .map((r) => ({ status: r.status, changedAt: Number(r.status_changed_at) }))[0];
    const recorded = async (uid: string) =>
      (await rawQuery<{ partner_id: number | null; at: string }>(engine, h.url, `SELECT partner_id, at FROM authorizations WHERE uid = '${uid}'`))
        .map((r) => ({ partnerId: r.partner_id === null ? null : Number(r.partner_id), at: r.at }))[0];

    it('should answer a status the connectors already have with their count and keep when it changed', async () => {
      const poi = h.storage.poi;
      assert.equal(await poi.setStatus(cpo.identifier, 'DEUNCE1', 'Available', 2_000), 1);
      assert.equal(await poi.setStatus(cpo.identifier, 'DEUNCE1', 'Available', 3_000), 1);
      assert.deepEqual(await connector('DEUNCE1'), { status: 'Available', changedAt: 2_000 });
      assert.equal(await poi.setStatus('someone-else', 'DEUNCE1', 'Available', 3_000), 0, 'another owner still matches nothing');
    });

    it('should let the later of two statuses in flight for one EVSE win, also when it is the one on record', async () => {
      const poi = h.storage.poi;
      assert.equal(await poi.setStatus(cpo.identifier, 'DEUNCE2', 'Available', 4_000), 1);
      const counts = await Promise.all([poi.setStatus(cpo.identifier, 'DEUNCE2', 'Occupied', 5_000), poi.setStatus(cpo.identifier, 'DEUNCE2', 'Available', 5_001)]);
      assert.deepEqual(counts, [1, 1]);
      assert.deepEqual(await connector('DEUNCE2'), { status: 'Available', changedAt: 5_001 });
    });

    it('should record a card verified again only when who authorizes it changed or the record is an hour old', async () => {
      const auth = h.storage.authorization;
      await auth.replaceWhitelist(emp2.identifier, emp2.id, ['0C0C0C0C']);
      const t0 = Date.UTC(2026, 0, 1, 12);
      assert.equal((await auth.verifyOffline('0C0C0C0C', new Date(t0))).source, 'whitelist');
      assert.deepEqual(await recorded('0C0C0C0C'), { partnerId: emp2.id, at: new Date(t0).toISOString() });
      const again = await auth.verifyOffline('0C0C0C0C', new Date(t0 + 60_000));
      assert.deepEqual(again, { source: 'whitelist', hit: { partnerId: emp2.id, partnerIdentifier: emp2.identifier } });
      assert.deepEqual(await recorded('0C0C0C0C'), { partnerId: emp2.id, at: new Date(t0).toISOString() }, 'the same authorization a minute later is left as it was');
      // The card moves to emp1's list (the lowest partner id wins): recorded at once.
      await auth.replaceWhitelist(emp1.identifier, emp1.id, ['0C0C0C0C']);
      await auth.verifyOffline('0C0C0C0C', new Date(t0 + 120_000));
      assert.deepEqual(await recorded('0C0C0C0C'), { partnerId: emp1.id, at: new Date(t0 + 120_000).toISOString() });
      assert.deepEqual(await auth.authorizedBy('0C0C0C0C'), { partnerId: emp1.id });
      await auth.verifyOffline('0C0C0C0C', new Date(t0 + 120_000 + HOUR));
      assert.deepEqual(await recorded('0C0C0C0C'), { partnerId: emp1.id, at: new Date(t0 + 120_000 + HOUR).toISOString() }, 'an hour-old record is refreshed');
    });

    it('should record an account card verified again only when the record is an hour old, and a locked account never', async () => {
      const auth = h.storage.authorization;
      await auth.addAccount({ evcoId: 'DE*UNC*000000001*A', rfids: ['0D0D0D0D'], locked: false, hasPayment: true });
      const t0 = Date.UTC(2026, 0, 2, 12);
      assert.equal((await auth.verifyOffline('0D0D0D0D', new Date(t0))).source, 'account');
      await auth.verifyOffline('0D0D0D0D', new Date(t0 + 30 * 60_000));
      assert.deepEqual(await recorded('0D0D0D0D'), { partnerId: null, at: new Date(t0).toISOString() });
      await auth.addAccount({ evcoId: 'DE*UNC*000000002*A', rfids: ['0E0E0E0E'], locked: true, hasPayment: true });
      assert.deepEqual(await auth.verifyOffline('0E0E0E0E', new Date(t0)), { source: 'account', evcoId: 'DE*UNC*000000002*A', locked: true, hasPayment: true });
      assert.equal(await recorded('0E0E0E0E'), undefined);
    });
    it('should leave the rows of connectors that already have the status unwritten', async () => {
      const poi = h.storage.poi;
      await logConnectorUpdates(engine, h.url);
      const logged = async () => Number((await rawQuery<{ n: number }>(engine, h.url, 'SELECT count(*) AS n FROM update_log'))[0]!.n);
      assert.equal(await poi.setStatus(cpo.identifier, 'DEUNCE1', 'Offline', 8_000), 1);
      assert.equal(await logged(), 1, 'a change is written');
      assert.equal(await poi.setStatus(cpo.identifier, 'DEUNCE1', 'Offline', 9_000), 1);
      assert.deepEqual(await Promise.all([poi.setStatus(cpo.identifier, 'DEUNCE1', 'Offline', 9_001), poi.setStatus(cpo.identifier, 'DEUNCE2', 'Available', 9_001)]), [1, 1]);
      assert.equal(await logged(), 1, 'the same status again rewrites no row');
      assert.deepEqual(await connector('DEUNCE1'), { status: 'Offline', changedAt: 8_000 });
    });
  });
}
