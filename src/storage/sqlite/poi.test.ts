/** PoiRepository and TariffRepository on a real SQLite file. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/cli.js';
import type { StationInput } from '../poi.js';
import { openSqliteStorage } from './index.js';

let seq = 0;
/** A station input; `DE*8PS*E<n>` connectors unless given. */
function aStation(owner: { id: number; identifier: string }, o: Partial<StationInput> & { evse?: string[] } = {}): StationInput {
  const n = ++seq;
  const evse = o.evse ?? [`DE*8PS*E${n}A`, `DE*8PS*E${n}B`];
  return {
    ownerPartnerId: owner.id, ownerIdentifier: owner.identifier, cpoStationId: `st-${n}`, name: `Station ${n}`,
    latitude: 52.5, longitude: 13.4, isPrivate: false, isFreeCharge: false, deleted: false, data: { name: `Station ${n}` },
    connectors: evse.map((id) => ({ evseId: id, evseKey: id.toUpperCase().replace(/\*/g, ''), type: 'Type2', speed: 22 })),
    at: 1_000, ...o,
  };
}

describe('SqlitePoi', () => {
  const tmp = tempDir();
  let storage: Awaited<ReturnType<typeof openSqliteStorage>>;
  let a: { id: number; identifier: string };
  let b: { id: number; identifier: string };
  before(async () => {
    storage = await openSqliteStorage(`sqlite:${join(tmp.dir, 'poi.db')}`);
    const add = async (name: string) => {
      const p = await storage.partners.add({ name, roles: ['cpo'], partnerIdentifiers: [`${name}-identifier-0000000`], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
      return { id: p.id, identifier: p.partnerIdentifiers[0]! };
    };
    a = await add('a');
    b = await add('b');
  });
  after(async () => {
    await storage.close();
    tmp.remove();
  });
  const poi = () => storage.poi;

  it('should keep hub ids across update, soft delete and undelete', async () => {
    const input = aStation(a);
    const created = await poi().saveStation(input);
    assert.ok(created.ok && created.created);
    const id = (created as { stationId: number }).stationId;
    const [before] = await poi().stationsByIds([id], b.id);
    const updated = await poi().saveStation({ ...input, name: 'Renamed', data: { name: 'Renamed' }, at: 2_000 });
    assert.deepEqual(updated, { ok: true, stationId: id, created: false, changed: true, deleted: false });
    assert.deepEqual(await poi().saveStation({ ...input, deleted: true, at: 3_000 }), { ok: true, stationId: id, created: false, changed: true, deleted: true });
    assert.deepEqual(await poi().stationsByIds([id], a.id), []);
    const back = await poi().saveStation({ ...input, at: 4_000 });
    assert.ok(back.ok && back.stationId === id);
    const [after] = await poi().stationsByIds([id], b.id);
    assert.deepEqual(after!.connectors.map((c) => c.id), before!.connectors.map((c) => c.id));
  });

  it('should keep last-static-change when the same data is posted again', async () => {
    const input = aStation(a);
    const { stationId } = (await poi().saveStation(input)) as { stationId: number };
    const again = await poi().saveStation({ ...input, at: 9_000 });
    assert.equal(again.ok && again.changed, false);
    assert.equal((await poi().stationsByIds([stationId], a.id))[0]!.staticChangedAt, 1_000);
  });

  it('should report a changed connector set with what was added and removed', async () => {
    const input = aStation(a, { evse: ['DE*8PS*E900', 'DE*8PS*E901'] });
    await poi().saveStation(input);
    const out = await poi().saveStation({ ...input, connectors: [input.connectors[0]!, { ...input.connectors[0]!, evseId: 'DE*8PS*E902', evseKey: 'DE8PSE902' }] });
    assert.deepEqual(out, { ok: false, reason: 'connector-set-changed', added: ['DE*8PS*E902'], removed: ['DE*8PS*E901'] });
  });

  it('should report an EVSE ID of another owner, telling whether the coordinates match', async () => {
    await poi().saveStation(aStation(a, { evse: ['DE*8PS*E950'], latitude: 10, longitude: 10 }));
    assert.deepEqual(await poi().saveStation(aStation(b, { evse: ['de8pse950'], latitude: 10, longitude: 10 })), { ok: false, reason: 'evse-taken', evseId: 'de8pse950', sameCoordinates: true });
    assert.deepEqual(await poi().saveStation(aStation(b, { evse: ['DE*8PS*E950'], latitude: 11, longitude: 10 })), { ok: false, reason: 'evse-taken', evseId: 'DE*8PS*E950', sameCoordinates: false });
    // The same owner may give two stations one EVSE ID (the glossary allows it).
    assert.ok((await poi().saveStation(aStation(a, { evse: ['DE*8PS*E950'], latitude: 10, longitude: 10 }))).ok);
  });

  it('should set the status only on the owner\'s live connectors with that EVSE key, timestamped', async () => {
    const input = aStation(a, { evse: ['DE*8PS*E960'] });
    const { stationId } = (await poi().saveStation(input)) as { stationId: number };
    assert.equal(await poi().setStatus(b.identifier, 'DE8PSE960', 'Available', 5_000), 0);
    assert.equal(await poi().setStatus(a.identifier, 'DE8PSE960', 'Occupied', 5_000), 1);
    const [s] = await poi().stationsByIds([stationId], a.id);
    assert.deepEqual([s!.connectors[0]!.status, s!.connectors[0]!.statusChangedAt], ['Occupied', 5_000]);
    assert.equal((await poi().usage(stationId, 6_000)).last7Days, 1);
    await poi().saveStation({ ...input, deleted: true });
    assert.equal(await poi().setStatus(a.identifier, 'DE8PSE960', 'Available', 7_000), 0);
  });

  it('should answer a box nearest to its centre first, edges included, with hasMore', async () => {
    // A grid of 21 x 21 stations 0.01 degrees apart around (40, 20).
    const ids = new Map<string, number>();
    const saves: Array<Promise<void>> = [];
    for (let i = -10; i <= 10; i++) {
      for (let j = -10; j <= 10; j++) {
        // Not awaited one by one: posts of one event-loop turn share one commit.
        const save = poi().saveStation(aStation(a, { latitude: 40 + i / 100, longitude: 20 + j / 100, evse: [`DE*8PS*EG${i + 10}X${j + 10}`] }));
        saves.push(save.then((out) => void ids.set(`${i},${j}`, (out as { stationId: number }).stationId)));
      }
    }
    await Promise.all(saves);
    const box = { minLat: 39.9, maxLat: 40.1, minLon: 19.9, maxLon: 20.1, askerPartnerId: b.id };
    const all = await poi().surface({ ...box, limit: 1000 });
    assert.equal(all.stations.length, 441);
    assert.equal(all.hasMore, false);
    const few = await poi().surface({ ...box, limit: 5 });
    assert.equal(few.hasMore, true);
    assert.equal(few.stations[0]!.id, ids.get('0,0'));
    assert.deepEqual(new Set(few.stations.slice(1).map((s) => s.id)), new Set(['1,0', '-1,0', '0,1', '0,-1'].map((k) => ids.get(k))));
    const edge = await poi().surface({ minLat: 40.1, maxLat: 40.1, minLon: 20.1, maxLon: 20.1, askerPartnerId: b.id, limit: 10 });
    assert.deepEqual(edge.stations.map((s) => s.id), [ids.get('10,10')]);
    const excluded = await poi().surface({ ...box, limit: 1, excludes: [ids.get('0,0')!] });
    assert.notEqual(excluded.stations[0]!.id, ids.get('0,0'));
  });

  it('should hide private stations from others and apply connector filters on one connector', async () => {
    const priv = (await poi().saveStation(aStation(a, { latitude: -30, longitude: -30, isPrivate: true }))) as { stationId: number };
    const box = { minLat: -31, maxLat: -29, minLon: -31, maxLon: -29, limit: 10 };
    assert.deepEqual((await poi().surface({ ...box, askerPartnerId: b.id })).stations, []);
    assert.deepEqual((await poi().surface({ ...box, askerPartnerId: a.id })).stations.map((s) => s.id), [priv.stationId]);
    assert.deepEqual(await poi().stationsByIds([priv.stationId], b.id), []);
    const fast = aStation(a, { latitude: -35, longitude: -35 });
    fast.connectors = [{ ...fast.connectors[0]!, type: 'Combo', speed: 150 }, { ...fast.connectors[1]!, type: 'Type2', speed: 11 }];
    const { stationId } = (await poi().saveStation(fast)) as { stationId: number };
    const near = { minLat: -36, maxLat: -34, minLon: -36, maxLon: -34, askerPartnerId: b.id, limit: 10 };
    assert.deepEqual((await poi().surface({ ...near, connectorTypes: ['Type2'], speedAtLeast: 50 })).stations, []);
    assert.deepEqual((await poi().surface({ ...near, connectorTypes: ['Combo'], speedAtLeast: 50 })).stations.map((s) => s.id), [stationId]);
    assert.deepEqual((await poi().surface({ ...near, operatorIds: [b.id] })).stations, []);
  });

  it('should read only active reservations whose window covers now from the reservations table', async () => {
    assert.deepEqual(await poi().activeReservations([1, 2, 3], 5_000), []);
    const add = storage.sqlite.db.prepare('INSERT INTO reservations (connector_id, partner_id, evco_id, starts_at, ends_at, state) VALUES (?, ?, ?, ?, ?, ?)');
    add.run(1, b.id, 'DE*8PS*123456*7', 1_000, 9_000, 'active');
    add.run(2, b.id, null, 1_000, 9_000, 'cancelled');
    add.run(3, b.id, null, 1_000, 4_000, 'active');
    assert.deepEqual(await poi().activeReservations([1, 2, 3], 5_000), [{ connectorId: 1, partnerId: b.id, evcoId: 'DE*8PS*123456*7', endsAt: 9_000 }]);
  });

  it('should store tariffs per station and per EVSE key', async () => {
    const input = aStation(a, { evse: ['DE*8PS*E970', 'DE*8PS*E971'] });
    const { stationId } = (await poi().saveStation(input)) as { stationId: number };
    assert.equal(await storage.tariffs.setForStation(999_999, { currency: 'EUR' }, 1), false);
    assert.equal(await storage.tariffs.setForStation(stationId, { currency: 'EUR' }, 1), true);
    assert.equal(await storage.tariffs.setForEvse('DE8PSE971', { currency: 'CHF' }, 1), 1);
    assert.equal(await storage.tariffs.setForEvse('DE8PSE000', { currency: 'CHF' }, 1), 0);
    const t = await storage.tariffs.forStations([stationId]);
    assert.deepEqual(t.byStation.get(stationId), { currency: 'EUR' });
    assert.deepEqual([...t.byEvseKey.keys()], ['DE8PSE971']);
  });
});
