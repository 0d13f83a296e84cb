/** PoiRepository and TariffRepository on every engine. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aPartner, aStation, stationIdOf, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`PoiRepository and TariffRepository on ${engine}`, () => {
    const h = useStorage(engine);
    const poi = () => h.storage.poi;
    let a: { id: number; identifier: string };
    let b: { id: number; identifier: string };
    before(async () => {
      a = await aPartner(h.storage, 'a');
      b = await aPartner(h.storage, 'b');
    });

    it('should keep hub ids across update, soft delete and undelete, and answer stations as posted', async () => {
      const input = aStation(a, { data: { name: 'X', 'is-open-24': true }, isFreeCharge: true });
      const created = await poi().saveStation(input);
      assert.deepEqual({ ...created, stationId: 0 }, { ok: true, stationId: 0, created: true, changed: true, deleted: false });
      const id = stationIdOf(created);
      const [before] = await poi().stationsByIds([id], b.id);
      assert.deepEqual({ ...before!, id: 0, connectors: [] }, {
        id: 0, ownerPartnerId: a.id, ownerIdentifier: a.identifier, cpoStationId: input.cpoStationId, name: input.name, latitude: 52.5, longitude: 13.4,
        isPrivate: false, isFreeCharge: true, ownerType: null, data: { name: 'X', 'is-open-24': true }, staticChangedAt: 1_000, connectors: [],
      });
      assert.deepEqual(before!.connectors.map((c) => [c.evseId, c.evseKey, c.type, c.speed, c.status, c.statusChangedAt]), input.connectors.map((c) => [c.evseId, c.evseKey, 'Type2', 22, 'Unknown', null]));
      const updated = await poi().saveStation({ ...input, name: 'Renamed', data: { name: 'Renamed' }, at: 2_000 });
      assert.deepEqual(updated, { ok: true, stationId: id, created: false, changed: true, deleted: false });
      assert.deepEqual(await poi().saveStation({ ...input, deleted: true, at: 3_000 }), { ok: true, stationId: id, created: false, changed: true, deleted: true });
      assert.deepEqual(await poi().saveStation({ ...input, deleted: true, at: 3_500 }), { ok: true, stationId: id, created: false, changed: false, deleted: true });
      assert.deepEqual(await poi().saveStation(aStation(a, { deleted: true })), { ok: true, stationId: null, created: false, changed: false, deleted: true });
      assert.deepEqual(await poi().stationsByIds([id], a.id), []);
      const back = await poi().saveStation({ ...input, at: 4_000 });
      assert.deepEqual(back, { ok: true, stationId: id, created: false, changed: true, deleted: false });
      const [after] = await poi().stationsByIds([id], b.id);
      assert.deepEqual(after!.connectors.map((c) => c.id), before!.connectors.map((c) => c.id));
      assert.equal(after!.staticChangedAt, 4_000);
    });

    it('should keep last-static-change when the same data is posted again, and record connector changes', async () => {
      const input = aStation(a);
      const stationId = stationIdOf(await poi().saveStation(input));
      const again = await poi().saveStation({ ...input, at: 9_000 });
      assert.deepEqual(again, { ok: true, stationId, created: false, changed: false, deleted: false });
      assert.equal((await poi().stationsByIds([stationId], a.id))[0]!.staticChangedAt, 1_000);
      // Same EVSE keys, other order, other spelling and speed: a change, ids kept.
      const [c0, c1] = input.connectors;
      const swapped = await poi().saveStation({ ...input, connectors: [{ ...c1!, speed: 50, evseId: c1!.evseId.toLowerCase() }, c0!], at: 10_000 });
      assert.equal(swapped.ok && swapped.changed, true);
      const s = (await poi().stationsByIds([stationId], a.id))[0]!;
      assert.deepEqual(s.connectors.map((c) => [c.evseId, c.speed]), [[c1!.evseId.toLowerCase(), 50], [c0!.evseId, 22]]);
      assert.equal(s.staticChangedAt, 10_000);
    });

    it('should report a changed connector set with what was added and removed', async () => {
      const input = aStation(a, { evse: ['DE*8PS*E900', 'DE*8PS*E901'] });
      await poi().saveStation(input);
      const out = await poi().saveStation({ ...input, connectors: [input.connectors[0]!, { ...input.connectors[0]!, evseId: 'DE*8PS*E902', evseKey: 'DE8PSE902' }] });
      assert.deepEqual(out, { ok: false, reason: 'connector-set-changed', added: ['DE*8PS*E902'], removed: ['DE*8PS*E901'] });
    });

    it('should report an EVSE ID of another owner, telling whether the coordinates match', async () => {
      await poi().saveStation(aStation(a, { evse: ['DE*8PS*E950'], latitude: 10, longitude: 10 }));
      assert.deepEqual(await poi().saveStation(aStation(b, { evse: ['de8pse950'], latitude: 10, longitude: 10.0000005 })), { ok: false, reason: 'evse-taken', evseId: 'de8pse950', sameCoordinates: true });
      assert.deepEqual(await poi().saveStation(aStation(b, { evse: ['DE*8PS*E950'], latitude: 11, longitude: 10 })), { ok: false, reason: 'evse-taken', evseId: 'DE*8PS*E950', sameCoordinates: false });
      // The same owner may give two stations one EVSE ID (the glossary allows it).
      assert.ok((await poi().saveStation(aStation(a, { evse: ['DE*8PS*E950'], latitude: 10, longitude: 10 }))).ok);
    });

    it('should let concurrent posts from two processes take turns: one station per identity, one owner per EVSE ID', async () => {
      const other = await h.another();
      for (let round = 0; round < 5; round++) {
        // The same new station posted four times at once, twice through each process: one creates it.
        const same = aStation(a, { evse: [`DE*8PS*RACE${round}A`] });
        const saves = await Promise.all([poi().saveStation(same), other.poi.saveStation(same), poi().saveStation(same), other.poi.saveStation(same)]);
        assert.ok(saves.every((o) => o.ok), JSON.stringify(saves));
        assert.equal(saves.filter((o) => o.ok && o.created).length, 1);
        assert.equal(new Set(saves.map((o) => (o.ok ? o.stationId : null))).size, 1);
        // Two owners claim one new EVSE ID at once, at different places: exactly one gets it.
        const evse = [`DE*8PS*RACE${round}B`];
        const claims = await Promise.all([poi().saveStation(aStation(a, { evse, latitude: 40 })), other.poi.saveStation(aStation(b, { evse, latitude: 41 }))]);
        assert.deepEqual(claims.map((o) => o.ok).sort(), [false, true], JSON.stringify(claims));
        assert.ok(claims.some((o) => !o.ok && o.reason === 'evse-taken' && !o.sameCoordinates));
      }
    });

    it('should set the status only on the owner\'s live connectors with that EVSE key, timestamped, and count usage', async () => {
      const input = aStation(a, { evse: ['DE*8PS*E960'] });
      const stationId = stationIdOf(await poi().saveStation(input));
      assert.equal(await poi().setStatus(b.identifier, 'DE8PSE960', 'Available', 5_000), 0);
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSE999', 'Available', 5_000), 0);
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSE960', 'Occupied', 5_000), 1);
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSE960', 'Occupied', 5_500), 1);
      const [s] = await poi().stationsByIds([stationId], a.id);
      assert.deepEqual([s!.connectors[0]!.status, s!.connectors[0]!.statusChangedAt], ['Occupied', 5_000], 'the same status again keeps its time');
      assert.deepEqual(await poi().usage(stationId, 6_000), { last7Days: 1, last30Days: 1, lastUsedAt: 5_000 });
      await poi().setStatus(a.identifier, 'DE8PSE960', 'Available', 8 * 86_400_000);
      await poi().setStatus(a.identifier, 'DE8PSE960', 'Occupied', 9 * 86_400_000);
      assert.deepEqual(await poi().usage(stationId, 9 * 86_400_000), { last7Days: 1, last30Days: 2, lastUsedAt: 9 * 86_400_000 });
      assert.deepEqual(await poi().usage(999_999, 6_000), { last7Days: 0, last30Days: 0, lastUsedAt: null });
      await poi().saveStation({ ...input, deleted: true });
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSE960', 'Available', 7_000), 0);
    });

    it('should set every connector sharing an EVSE ID, count the station\'s usage once, and leave an unchanged one\'s time', async () => {
      const input = aStation(a, { evse: ['DE*8PS*E981', 'DE*8PS*E981', 'DE*8PS*E982'] });
      const stationId = stationIdOf(await poi().saveStation(input));
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSE981', 'Available', 1_000), 2);
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSE982', 'Occupied', 1_500), 1);
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSE981', 'Occupied', 2_000), 2);
      const times = async () => (await poi().stationsByIds([stationId], a.id))[0]!.connectors.map((c) => [c.status, c.statusChangedAt]);
      assert.deepEqual(await times(), [['Occupied', 2_000], ['Occupied', 2_000], ['Occupied', 1_500]]);
      assert.equal((await poi().usage(stationId, 3_000)).last7Days, 2, 'one per post that made connectors Occupied, not one per connector');
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSE981', 'Occupied', 2_500), 2);
      assert.equal((await poi().usage(stationId, 3_000)).last7Days, 2, 'Occupied again is no new use');
      assert.deepEqual(await times(), [['Occupied', 2_000], ['Occupied', 2_000], ['Occupied', 1_500]]);
    });

    it('should count the uses of every connector of a station, at the windows\' edges', async () => {
      const DAY = 86_400_000;
      const input = aStation(a, { evse: ['DE*8PS*EU1', 'DE*8PS*EU2', 'DE*8PS*EU3'] });
      const stationId = stationIdOf(await poi().saveStation(input));
      const other = stationIdOf(await poi().saveStation(aStation(a, { evse: ['DE*8PS*EU9'] })));
      const now = 100 * DAY;
      // Uses 40, 30 (on the 30-day edge), 20, 7 (on the 7-day edge) and 1 day before `now`, by turns on
      // EU1 and EU2, and another station's between them.
      const uses: Array<[string, number]> = [['DE8PSEU1', now - 40 * DAY], ['DE8PSEU2', now - 30 * DAY], ['DE8PSEU1', now - 20 * DAY], ['DE8PSEU9', now - 10 * DAY], ['DE8PSEU2', now - 7 * DAY], ['DE8PSEU1', now - DAY]];
      for (const [key, at] of uses) {
        assert.equal(await poi().setStatus(a.identifier, key, 'Occupied', at), 1);
        assert.equal(await poi().setStatus(a.identifier, key, 'Available', at + 1), 1);
      }
      assert.deepEqual(await poi().usage(stationId, now), { last7Days: 2, last30Days: 4, lastUsedAt: now - DAY });
      assert.deepEqual(await poi().usage(other, now), { last7Days: 0, last30Days: 1, lastUsedAt: now - 10 * DAY });
      assert.equal(await poi().setStatus(a.identifier, 'DE8PSEU3', 'Occupied', now + 1), 1);
      assert.deepEqual(await poi().usage(stationId, now), { last7Days: 3, last30Days: 5, lastUsedAt: now + 1 });
      assert.deepEqual(await poi().usage(stationId, now + 31 * DAY), { last7Days: 0, last30Days: 0, lastUsedAt: now + 1 });
    });

    it('should give each of many concurrent status posts its own count, the later post of one EVSE winning', async () => {
      const input = aStation(a, { evse: Array.from({ length: 20 }, (_, i) => `DE*8PS*EC${i}`) });
      const stationId = stationIdOf(await poi().saveStation(input));
      const posts = input.connectors.map((c, i) => poi().setStatus(a.identifier, c.evseKey, i % 2 ? 'Available' : 'Offline', 20_000));
      const stray = poi().setStatus(b.identifier, 'DE8PSEC0', 'Occupied', 20_000);
      const first = poi().setStatus(a.identifier, 'DE8PSEC1', 'Occupied', 20_001);
      const second = poi().setStatus(a.identifier, 'DE8PSEC1', 'Reserved', 20_002);
      assert.deepEqual(await Promise.all([...posts, stray, first, second]), [...posts.map(() => 1), 0, 1, 1]);
      const s = (await poi().stationsByIds([stationId], a.id))[0]!;
      assert.deepEqual([s.connectors[0]!.status, s.connectors[1]!.status, s.connectors[1]!.statusChangedAt], ['Offline', 'Reserved', 20_002]);
      assert.equal((await poi().usage(stationId, 20_003)).last7Days, 1, 'the Occupied in between counted');
    });

    it('should answer a box nearest to its centre first, edges included, with hasMore', async () => {
      // A grid of 21 x 21 stations 0.01 degrees apart around (40, 20).
      const ids = new Map<string, number>();
      const saves: Array<Promise<void>> = [];
      for (let i = -10; i <= 10; i++) {
        for (let j = -10; j <= 10; j++) {
          const save = poi().saveStation(aStation(a, { latitude: 40 + i / 100, longitude: 20 + j / 100, evse: [`DE*8PS*EG${i + 10}X${j + 10}`] }));
          saves.push(save.then((out) => void ids.set(`${i},${j}`, stationIdOf(out))));
        }
      }
      await Promise.all(saves);
      const box = { minLat: 39.9, maxLat: 40.1, minLon: 19.9, maxLon: 20.1, askerPartnerId: b.id };
      const all = await poi().surface({ ...box, limit: 1000 });
      assert.equal(all.stations.length, 441);
      assert.equal(all.hasMore, false);
      const exact = await poi().surface({ ...box, limit: 441 });
      assert.deepEqual([exact.stations.length, exact.hasMore], [441, false]);
      const few = await poi().surface({ ...box, limit: 5 });
      assert.equal(few.hasMore, true);
      assert.equal(few.stations[0]!.id, ids.get('0,0'));
      assert.deepEqual(new Set(few.stations.slice(1).map((s) => s.id)), new Set(['1,0', '-1,0', '0,1', '0,-1'].map((k) => ids.get(k))));
      // Longitude counts cos(40°) ≈ 0.77 of latitude: two steps east are nearer than two steps north... but not than one step.
      const nine = await poi().surface({ ...box, limit: 9 });
      assert.deepEqual(new Set(nine.stations.slice(5).map((s) => s.id)), new Set(['1,1', '1,-1', '-1,1', '-1,-1'].map((k) => ids.get(k))));
      const ordered = await poi().surface({ ...box, limit: 441 });
      assert.deepEqual(ordered.stations.map((s) => s.id), all.stations.map((s) => s.id), 'the same order whatever the limit');
      const edge = await poi().surface({ minLat: 40.1, maxLat: 40.1, minLon: 20.1, maxLon: 20.1, askerPartnerId: b.id, limit: 10 });
      assert.deepEqual(edge.stations.map((s) => s.id), [ids.get('10,10')]);
      const outside = await poi().surface({ minLat: 40.1000001, maxLat: 40.2, minLon: 19, maxLon: 21, askerPartnerId: b.id, limit: 10 });
      assert.deepEqual(outside.stations, [], 'no tolerance at the box edge');
      const excluded = await poi().surface({ ...box, limit: 1, excludes: [ids.get('0,0')!] });
      assert.notEqual(excluded.stations[0]!.id, ids.get('0,0'));
      const s = few.stations[0]!;
      assert.deepEqual({ ...s, id: 0 }, { id: 0, name: s.name, latitude: 40, longitude: 20, ownerType: null, staticChangedAt: 1_000, connectors: [{ id: s.connectors[0]!.id, status: 'Unknown' }] });
    });

    it('should rank by distance on the ground when the nearest stations in degrees are not the nearest there', async () => {
      // At 60° N a degree of longitude is half a degree of latitude: the station 0.03° east (1.7 km)
      // is nearer than four stations 0.017-0.020° north and south (1.9-2.2 km), though farther in
      // degrees. PostgreSQL's first page of nearest-in-degrees candidates holds only those four, so
      // it must page on before it answers.
      const at = (lat: number, lon: number, tag: string) => poi().saveStation(aStation(a, { latitude: lat, longitude: lon, evse: [`DE*8PS*EK${tag}`] })).then(stationIdOf);
      const east = await at(60, 25.03, 'E');
      const north = await at(60.017, 25, 'N1');
      await at(59.982, 25, 'S1');
      await at(60.019, 25, 'N2');
      await at(59.98, 25, 'S2');
      const box = { minLat: 59.95, maxLat: 60.05, minLon: 24.95, maxLon: 25.05, askerPartnerId: b.id };
      const one = await poi().surface({ ...box, limit: 1 });
      assert.deepEqual([one.stations.map((s) => s.id), one.hasMore], [[east], true]);
      const two = await poi().surface({ ...box, limit: 2 });
      assert.deepEqual([two.stations.map((s) => s.id), two.hasMore], [[east, north], true]);
    });

    it('should hide private stations from others and apply every filter, connector filters on one connector', async () => {
      const priv = stationIdOf(await poi().saveStation(aStation(a, { latitude: -30, longitude: -30, isPrivate: true })));
      const box = { minLat: -31, maxLat: -29, minLon: -31, maxLon: -29, limit: 10 };
      assert.deepEqual((await poi().surface({ ...box, askerPartnerId: b.id })).stations, []);
      assert.deepEqual((await poi().surface({ ...box, askerPartnerId: a.id })).stations.map((s) => s.id), [priv]);
      assert.deepEqual(await poi().stationsByIds([priv], b.id), []);
      assert.deepEqual((await poi().stationsByIds([priv], a.id)).map((s) => s.isPrivate), [true]);
      const fast = aStation(a, { latitude: -35, longitude: -35 });
      fast.connectors = [{ ...fast.connectors[0]!, type: 'Combo', speed: 150 }, { ...fast.connectors[1]!, type: 'Type2', speed: 11 }];
      const stationId = stationIdOf(await poi().saveStation(fast));
      const near = { minLat: -36, maxLat: -34, minLon: -36, maxLon: -34, askerPartnerId: b.id, limit: 10 };
      assert.deepEqual((await poi().surface({ ...near, connectorTypes: ['Type2'], speedAtLeast: 50 })).stations, []);
      assert.deepEqual((await poi().surface({ ...near, connectorTypes: ['Combo'], speedAtLeast: 50 })).stations.map((s) => s.id), [stationId]);
      assert.deepEqual((await poi().surface({ ...near, speedAtMost: 11 })).stations.map((s) => s.id), [stationId]);
      assert.deepEqual((await poi().surface({ ...near, speedAtMost: 10 })).stations, []);
      assert.deepEqual((await poi().surface({ ...near, operatorIds: [b.id] })).stations, []);
      assert.deepEqual((await poi().surface({ ...near, operatorIds: [a.id, b.id] })).stations.map((s) => s.id), [stationId]);
      assert.deepEqual((await poi().surface({ ...near, companyTypes: ['hotel'] })).stations, [], 'no owner type is curated yet');
    });

    it('should answer stations by ids in the order asked, once each, skipping unknown ones', async () => {
      const s1 = stationIdOf(await poi().saveStation(aStation(a, { latitude: 1, longitude: 1 })));
      const s2 = stationIdOf(await poi().saveStation(aStation(b, { latitude: 1, longitude: 1 })));
      assert.deepEqual((await poi().stationsByIds([s2, 999_999, s1, s2], a.id)).map((s) => s.id), [s2, s1]);
      assert.deepEqual(await poi().stationsByIds([], a.id), []);
    });

    it('should read only active reservations whose window covers now', async () => {
      const stationId = stationIdOf(await poi().saveStation(aStation(a, { evse: ['DE*8PS*ER1', 'DE*8PS*ER2', 'DE*8PS*ER3'] })));
      const connectors = (await poi().stationsByIds([stationId], a.id))[0]!.connectors;
      const ids = connectors.map((c) => c.id);
      assert.deepEqual(await poi().activeReservations(ids, 5_000), []);
      const owner = async (i: number) => (await h.storage.sessions.connectorById(ids[i]!))!;
      const r1 = await h.storage.sessions.addReservation({ partnerId: b.id, connector: await owner(0), evcoId: 'DE*8PS*123456*7', identifiers: [], startsAt: 1_000, endsAt: 9_000 });
      const r2 = await h.storage.sessions.addReservation({ partnerId: b.id, connector: await owner(1), evcoId: null, identifiers: [], startsAt: 1_000, endsAt: 9_000 });
      await h.storage.sessions.endReservation(r2.id, 'cancelled', 2_000);
      await h.storage.sessions.addReservation({ partnerId: b.id, connector: await owner(2), evcoId: null, identifiers: [], startsAt: 1_000, endsAt: 4_000 });
      assert.deepEqual(await poi().activeReservations(ids, 5_000), [{ connectorId: r1.connectorId, partnerId: b.id, evcoId: 'DE*8PS*123456*7', endsAt: 9_000 }]);
      assert.deepEqual(await poi().activeReservations([], 5_000), []);
    });

    it('should store tariffs per station and per EVSE key', async () => {
      const input = aStation(a, { evse: ['DE*8PS*E970', 'DE*8PS*E971'] });
      const stationId = stationIdOf(await poi().saveStation(input));
      assert.equal(await h.storage.tariffs.setForStation(999_999, { currency: 'EUR' }, 1), false);
      assert.equal(await h.storage.tariffs.setForStation(stationId, { currency: 'EUR' }, 1), true);
      assert.equal(await h.storage.tariffs.setForStation(stationId, { currency: 'EUR', v: 2 }, 2), true);
      assert.equal(await h.storage.tariffs.setForEvse('DE8PSE971', { currency: 'CHF' }, 1), 1);
      assert.equal(await h.storage.tariffs.setForEvse('DE8PSE000', { currency: 'CHF' }, 1), 0);
      const t = await h.storage.tariffs.forStations([stationId, 999_999]);
      assert.deepEqual([...t.byStation], [[stationId, { currency: 'EUR', v: 2 }]]);
      assert.deepEqual([...t.byEvseKey], [['DE8PSE971', { currency: 'CHF' }]]);
      const none = await h.storage.tariffs.forStations([]);
      assert.deepEqual([none.byStation.size, none.byEvseKey.size], [0, 0]);
    });
  });
}
