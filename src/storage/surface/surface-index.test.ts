/**
 * SurfaceIndex on its own against brute force: stations added, moved, re-connected (connector
 * counts changing, which moves them in the connector pool until it is compacted), removed, and
 * statuses set; ties by id; boxes of every size.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SurfaceQuery, SurfaceStationRecord } from '../poi.js';
import { SurfaceIndex, type IndexedStation } from './surface-index.js';
import { namesAsText } from '../contract/test-support/setup.js';
import { seededRandom } from '../../demo/random.js';

function bruteForce(all: Map<number, IndexedStation>, q: SurfaceQuery): { stations: SurfaceStationRecord[]; hasMore: boolean } {
  const cLat = (q.minLat + q.maxLat) / 2;
  const cLon = (q.minLon + q.maxLon) / 2;
  const k = Math.max(Math.cos((cLat * Math.PI) / 180), 1e-6);
  const hits = [...all.values()]
    .filter((s) => s.latitude >= q.minLat && s.latitude <= q.maxLat && s.longitude >= q.minLon && s.longitude <= q.maxLon)
    .filter((s) => !s.isPrivate || s.partnerId === q.askerPartnerId)
    .filter((s) => !q.excludes?.includes(s.id) && (!q.operatorIds?.length || q.operatorIds.includes(s.partnerId)))
    .filter((s) => !q.companyTypes?.length || (s.ownerType !== null && q.companyTypes.includes(s.ownerType)))
    .map((s) => ({ s, d: Math.sqrt(((s.longitude - cLon) * k) ** 2 + (s.latitude - cLat) ** 2) }))
    .sort((x, y) => x.d - y.d || x.s.id - y.s.id);
  return {
    hasMore: hits.length > q.limit,
    stations: hits.slice(0, q.limit).map(({ s }) => ({
      id: s.id, name: s.name, latitude: s.latitude, longitude: s.longitude, ownerType: s.ownerType, staticChangedAt: s.staticChangedAt,
      connectors: s.connectors.map((c) => ({ id: c.id, status: c.status })),
    })),
  };
}

describe('SurfaceIndex', () => {
  it('should answer as brute force through adds, moves, connector changes, removals and statuses', () => {
    const rnd = seededRandom(5).next;
    const ix = new SurfaceIndex();
    const all = new Map<number, IndexedStation>();
    let connectorId = 1;
    const station = (id: number): IndexedStation => ({
      id, name: `S${id}-${Math.floor(rnd() * 100)}`,
      // Quantized so that some share a spot exactly (ties by id) or sit on bucket edges.
      latitude: Math.round((50 + rnd() * 0.2) * 2000) / 2000, longitude: Math.round((8 + rnd() * 0.3) * 2000) / 2000,
      isPrivate: rnd() < 0.1, partnerId: 1 + Math.floor(rnd() * 3), ownerType: rnd() < 0.2 ? 'hotel' : null, staticChangedAt: Math.floor(rnd() * 1e6),
      connectors: Array.from({ length: Math.floor(rnd() * 4) }, () => ({ id: connectorId++, status: 'Unknown' as const })),
    });
    const check = (n: number) => {
      for (let i = 0; i < n; i++) {
        const half = [0.001, 0.01, 0.05, 0.3][i % 4]!;
        const cLat = 50 + rnd() * 0.2, cLon = 8 + rnd() * 0.3;
        const q: SurfaceQuery = { minLat: cLat - half, maxLat: cLat + half, minLon: cLon - half, maxLon: cLon + half * 2, askerPartnerId: 1 + (i % 3), limit: [1, 10, 100][i % 3]! };
        if (i % 7 === 1) q.excludes = [...all.keys()].filter((id) => id % 5 === 0);
        if (i % 7 === 2) q.operatorIds = [2];
        if (i % 7 === 3) q.companyTypes = ['hotel', 'garage'];
        assert.deepEqual(namesAsText(ix.query(q)), bruteForce(all, q), JSON.stringify(q));
      }
    };
    for (let id = 1; id <= 3000; id++) {
      const s = station(id);
      all.set(id, s);
      ix.upsert(s);
    }
    check(200);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 3000; i++) {
        const id = 1 + Math.floor(rnd() * 3200);
        const r = rnd();
        if (r < 0.2) (all.delete(id), ix.remove(id));
        else if (r < 0.6) {
          const s = station(id); // moved, renamed, new connectors (another count, most of the time)
          all.set(id, s);
          ix.upsert(s);
        } else if (all.has(id) && all.get(id)!.connectors.length) {
          const s = all.get(id)!;
          const c = s.connectors[Math.floor(rnd() * s.connectors.length)]!;
          c.status = (['Available', 'Occupied', 'Reserved', 'Offline'] as const)[i % 4]!;
          assert.equal(ix.setStatus(id, c.id, c.status), true);
        }
      }
      assert.equal(ix.size, all.size);
      check(100);
    }
    assert.equal(ix.setStatus(999_999, 1, 'Available'), false, 'an unknown station');
    assert.equal(ix.query({ minLat: -90, maxLat: 90, minLon: -180, maxLon: 180, askerPartnerId: 1, limit: 5 }), undefined, 'too large a box');
    assert.equal(ix.query({ minLat: 50, maxLat: 50.1, minLon: 8, maxLon: 8.1, askerPartnerId: 1, limit: 5, speedAtLeast: 50 }), undefined, 'a connector filter');
  });
});
