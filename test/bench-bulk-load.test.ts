/**
 * The benchmark's fast loader (`bulkLoadStations`, bench/seed.ts) stores what station-post's path
 * (`loadStations`, one `saveStation` each) stores: the same stations, connectors and map, on every
 * engine. The scenarios' figures are only as good as the data they run on.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { benchPartner, bulkLoadStations, loadStations } from '../bench/seed.js';
import { openStorage } from '../src/storage/index.js';
import { freshDatabase, testEngines } from './support/engines.js';
import { queryDatabase } from './support/db-query.js';

const STATIONS = 1_200; // more than one PostgreSQL batch (5,000 is one; 1,200 with two owners spans both owners' rows)

/** What a load leaves, keyed by the stations' own ids rather than the hub's. */
async function contents(url: string) {
  // Partner identifiers are random per database: the owner's name stands for them, and `own` says the
  // station carries one of its owner's identifiers.
  const owner = `p.name AS owner, EXISTS (SELECT 1 FROM partner_identifiers i WHERE i.partner_id = s.partner_id AND i.identifier = s.partner_identifier) AS own`;
  const stations = await queryDatabase(url, `SELECT ${owner}, s.cpo_station_id, s.name, s.latitude, s.longitude, s.is_private, s.is_free_charge, s.deleted, s.data, s.owner_type
    FROM stations s JOIN partners p ON p.id = s.partner_id ORDER BY p.name, s.cpo_station_id`);
  const connectors = await queryDatabase(url, `SELECT p.name AS owner, s.cpo_station_id, c.position, c.evse_id, c.evse_key, c.type, c.speed, c.status
    FROM connectors c JOIN stations s ON s.id = c.station_id JOIN partners p ON p.id = s.partner_id ORDER BY p.name, s.cpo_station_id, c.position`);
  const map = await queryDatabase(url, `SELECT p.name AS owner, s.cpo_station_id, m.live, m.summary, m.connectors
    FROM map_stations m JOIN stations s ON s.id = m.station_id JOIN partners p ON p.id = s.partner_id ORDER BY p.name, s.cpo_station_id`);
  const cells = await queryDatabase(url, 'SELECT level, cx, cy, n, available, occupied, reserved, offline, unknown, k FROM map_cells WHERE n <> 0 ORDER BY level, cx, cy');
  const plain = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  return { stations: plain(stations), connectors: plain(connectors), map: plain(map), cells: plain(cells) };
}

for (const engine of testEngines()) {
  describe(`bench data on ${engine}`, () => {
    it('should be the same through bulkLoadStations as through saveStation', { timeout: 120_000 }, async () => {
      const loaded = [];
      for (const load of [loadStations, bulkLoadStations]) {
        const db = await freshDatabase(engine);
        const storage = await openStorage(db.url);
        try {
          const owners = [];
          for (const k of [0, 1]) {
            const cpo = await benchPartner(storage, `Bulk CPO ${k}`, ['cpo']);
            owners.push({ cpo, plan: { operator: `B${k}X`, run: 'bulk', seed: 7 } });
          }
          await load(storage, owners, STATIONS);
          // saveStation leaves new stations marked for the map (migration 870): drained as a hub would.
          while ((await storage.dashboard.refreshMap(500)) > 0);
          loaded.push(await contents(db.url));
        } finally {
          await storage.close();
          await db.drop();
        }
      }
      const [viaPost, viaBulk] = loaded;
      assert.equal(viaPost!.stations.length, STATIONS);
      assert.ok(viaPost!.stations.every((r) => Boolean(r.own)) && viaBulk!.stations.every((r) => Boolean(r.own)), 'each station carries its owner\'s identifier');
      assert.equal(viaPost!.connectors.length > STATIONS, true);
      assert.deepEqual(viaBulk!.stations, viaPost!.stations);
      assert.deepEqual(viaBulk!.connectors, viaPost!.connectors);
      assert.deepEqual(viaBulk!.map, viaPost!.map);
      assert.deepEqual(viaBulk!.cells, viaPost!.cells);
    });
  });
}
