/**
 * station-get-surface on PostgreSQL with a company-type filter: the branch of `oioi_surface`
 * (migration 900) that reads `owner_type` from the table. No write path sets an owner type yet
 * (it is curated later), so the test sets it with SQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aPartner, aStation, stationIdOf, testEngines, useStorage } from '../../contract/test-support/setup.js';
import { queryDatabase } from '../../../../test/support/db-query.js';

if (testEngines().includes('postgres')) describe('station-get-surface by company type on postgres', () => {
  const h = useStorage('postgres');

  it('should answer only the stations of the asked owner types, nearest first, with hasMore and the other filters', async () => {
    const a = await aPartner(h.storage, 'a');
    const b = await aPartner(h.storage, 'b');
    const save = async (lat: number, ownerType: string | null, o: { isPrivate?: boolean; owner?: typeof a } = {}) => {
      const id = stationIdOf(await h.storage.poi.saveStation(aStation(o.owner ?? a, { latitude: lat, longitude: 10, isPrivate: o.isPrivate ?? false })));
      if (ownerType) await queryDatabase(h.url, 'UPDATE stations SET owner_type = ? WHERE id = ?', [ownerType, id]);
      return id;
    };
    const hotelNear = await save(50.001, 'hotel');
    await save(50.0005, null);
    const garage = await save(50.002, 'garage');
    const hotelFar = await save(50.003, 'hotel');
    await save(50.0015, 'hotel', { isPrivate: true });
    const hotelOfB = await save(50.004, 'hotel', { owner: b });
    const box = { minLat: 49.99, maxLat: 50.01, minLon: 9.99, maxLon: 10.01, askerPartnerId: b.id, limit: 100 };
    const ids = async (q: Partial<Parameters<typeof h.storage.poi.surface>[0]>) => {
      const r = await h.storage.poi.surface({ ...box, ...q });
      return [r.stations.map((s) => s.id), r.hasMore, r.stations.map((s) => s.ownerType)];
    };
    assert.deepEqual(await ids({ companyTypes: ['hotel'] }), [[hotelNear, hotelFar, hotelOfB], false, ['hotel', 'hotel', 'hotel']], 'not the private hotel of another partner');
    assert.deepEqual(await ids({ companyTypes: ['hotel'], limit: 2 }), [[hotelNear, hotelFar], true, ['hotel', 'hotel']]);
    assert.deepEqual(await ids({ companyTypes: ['hotel', 'garage'], operatorIds: [a.id] }), [[hotelNear, garage, hotelFar], false, ['hotel', 'garage', 'hotel']]);
    assert.deepEqual(await ids({ companyTypes: ['hotel'], excludes: [hotelNear] }), [[hotelFar, hotelOfB], false, ['hotel', 'hotel']]);
    assert.deepEqual(await ids({ companyTypes: ['camping'] }), [[], false, []]);
  });
});
