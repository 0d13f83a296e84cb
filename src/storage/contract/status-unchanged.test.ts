/**
 * Status posts that change nothing, on every engine: a status the connectors already have is
 * answered with their count, keeps when the status last changed, and a post of it still in flight
 * never gets ahead of an earlier different one.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aPartner, aStation, rawQuery, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`Status posts that change nothing on ${engine}`, () => {
    const h = useStorage(engine);
    let cpo: { id: number; identifier: string };
    before(async () => {
      cpo = await aPartner(h.storage, 'cpo', ['cpo']);
      await h.storage.poi.saveStation(aStation(cpo, { evse: ['DE*UNC*E1', 'DE*UNC*E2'] }));
    });
    const connector = async (key: string) =>
      (await rawQuery<{ status: string; status_changed_at: number }>(engine, h.url, `SELECT status, status_changed_at FROM connectors WHERE evse_key = '${key}'`))
        .map((r) => ({ status: r.status, changedAt: Number(r.status_changed_at) }))[0];

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

  });
}
