/**
 * Posts that change nothing, on every engine: a status the connectors already have is answered
 * with their count, keeps when the status last changed and leaves the rows unwritten, and a post
 * of it still in flight never gets ahead of an earlier different one; rfid-verify of a listed card
 * or an account's card writes nothing.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aPartner, aStation, rawExec, rawQuery, testEngines, useStorage, type Engine } from './test-support/setup.js';

/** Logs every UPDATE of a connector row into `update_log` (a trigger added beside the hub's own). */
async function logConnectorUpdates(engine: Engine, url: string): Promise<void> {
  await rawExec(engine, url, engine === 'sqlite'
    ? 'CREATE TABLE update_log (id INTEGER); CREATE TRIGGER log_connector_update AFTER UPDATE ON connectors BEGIN INSERT INTO update_log VALUES (NEW.id); END;'
    : `CREATE TABLE update_log (id bigint);
      CREATE FUNCTION log_connector_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO update_log VALUES (NEW.id); RETURN NEW; END $$;
      CREATE TRIGGER log_connector_update AFTER UPDATE ON connectors FOR EACH ROW EXECUTE FUNCTION log_connector_update();`);
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

    it('should verify a card from a list or an account without writing anything', async () => {
      const auth = h.storage.authorization;
      await auth.replaceWhitelist(emp2.identifier, emp2.id, ['0C0C0C0C']);
      await auth.replaceWhitelist(emp1.identifier, emp1.id, ['0C0C0C0C']);
      await auth.addAccount({ evcoId: 'DE*UNC*000000001*A', rfids: ['0D0D0D0D'], locked: false, hasPayment: true });
      const authorizationRows = async () => Number((await rawQuery<{ n: number }>(engine, h.url, 'SELECT count(*) AS n FROM authorizations'))[0]!.n);
      const rowsBefore = await authorizationRows();
      assert.deepEqual(await auth.verifyOffline('0C0C0C0C'), { source: 'whitelist', hit: { partnerId: Math.min(emp1.id, emp2.id), partnerIdentifier: emp1.id < emp2.id ? emp1.identifier : emp2.identifier } });
      assert.equal((await auth.verifyOffline('0D0D0D0D')).source, 'account');
      assert.equal(await recorded('0C0C0C0C'), undefined);
      assert.equal(await recorded('0D0D0D0D'), undefined);
      assert.equal(await authorizationRows(), rowsBefore);
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
