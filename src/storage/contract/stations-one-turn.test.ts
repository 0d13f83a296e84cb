/**
 * PoiRepository.saveStation called for many posts in one event-loop turn, as a CPO's full load
 * calls it: each post gets the outcome it would get alone, posts naming a common station or EVSE
 * decide in the order they came, and a post the database refuses fails alone. On every engine
 * (PostgreSQL gathers such posts into one transaction, postgres/poi/save-station-batch.ts).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { SaveStationOutcome, StationInput } from '../poi.js';
import { aPartner, aStation, stationIdOf, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`PoiRepository.saveStation, many posts in one turn, on ${engine}`, () => {
    const h = useStorage(engine);
    let cpo: { id: number; identifier: string };
    let rival: { id: number; identifier: string };
    before(async () => {
      cpo = await aPartner(h.storage, 'cpo', ['cpo']);
      rival = await aPartner(h.storage, 'rival', ['cpo']);
    });
    /** Saves every input in one turn; each outcome, or the message of its error. */
    const inOneTurn = (inputs: StationInput[]) => Promise.all(inputs.map((i) => h.storage.poi.saveStation(i).catch((e: Error) => e.message)));
    const stored = async (id: number) => (await h.storage.poi.stationsByIds([id], cpo.id))[0];

    it('should give each post the outcome it would get alone: created, updated, unchanged, deleted, refused', async () => {
      const kept = aStation(cpo);
      const edited = aStation(cpo);
      const gone = aStation(cpo);
      const fixed = aStation(cpo);
      const [keptId, editedId, goneId] = [stationIdOf(await h.storage.poi.saveStation(kept)), stationIdOf(await h.storage.poi.saveStation(edited)),
        stationIdOf(await h.storage.poi.saveStation(gone))];
      await h.storage.poi.saveStation(fixed);
      const fresh = Array.from({ length: 20 }, () => aStation(cpo));
      const outcomes = await inOneTurn([
        ...fresh,
        { ...kept, at: 2_000 },
        { ...edited, name: 'Renamed', data: { name: 'Renamed' }, connectors: edited.connectors.map((c) => ({ ...c, speed: 50 })), at: 2_000 },
        { ...gone, deleted: true, at: 2_000 },
        { ...fixed, connectors: [...fixed.connectors, { evseId: 'DE*8PS*EX1', evseKey: 'DE8PSEX1', type: 'CCS', speed: 150 }] },
      ]);
      const ids = fresh.map((_, i) => {
        const o = outcomes[i] as SaveStationOutcome;
        assert.deepEqual(o.ok && [o.created, o.changed, o.deleted], [true, true, false], `fresh ${i}`);
        return stationIdOf(o);
      });
      assert.equal(new Set(ids).size, ids.length);
      for (const [i, id] of ids.entries()) {
        const s = (await stored(id))!;
        assert.deepEqual([s.cpoStationId, s.connectors.map((c) => c.evseId)], [fresh[i]!.cpoStationId, fresh[i]!.connectors.map((c) => c.evseId)]);
      }
      assert.deepEqual(outcomes.slice(20), [
        { ok: true, stationId: keptId, created: false, changed: false, deleted: false },
        { ok: true, stationId: editedId, created: false, changed: true, deleted: false },
        { ok: true, stationId: goneId, created: false, changed: true, deleted: true },
        { ok: false, reason: 'connector-set-changed', added: ['DE*8PS*EX1'], removed: [] },
      ]);
      assert.equal((await stored(keptId))!.staticChangedAt, 1_000, 'an identical re-post keeps its last change');
      const e = (await stored(editedId))!;
      assert.deepEqual([e.name, e.staticChangedAt, e.connectors.map((c) => c.speed)], ['Renamed', 2_000, [50, 50]]);
      assert.equal(await stored(goneId), undefined);
    });

    it('should decide posts naming a common station or EVSE in the order they came', async () => {
      const first = aStation(cpo, { evse: ['DE*8PS*ET1'] });
      const outcomes = await inOneTurn([
        first,
        { ...first, name: 'Second', data: { name: 'Second' }, at: 3_000 },
        // Another owner's station with the same EVSE ID, elsewhere: the EVSE is taken by then.
        aStation(rival, { evse: ['DE*8PS*ET1'], latitude: 48.1, longitude: 11.5 }),
        aStation(cpo, { evse: ['DE*8PS*ET2'] }),
      ]);
      const id = stationIdOf(outcomes[0] as SaveStationOutcome);
      assert.deepEqual(outcomes[1], { ok: true, stationId: id, created: false, changed: true, deleted: false });
      assert.deepEqual(outcomes[2], { ok: false, reason: 'evse-taken', evseId: 'DE*8PS*ET1', sameCoordinates: false });
      assert.equal((outcomes[3] as { created: boolean }).created, true);
      assert.equal((await stored(id))!.name, 'Second');
    });

    it('should fail only the post the database refuses; the others of the turn are stored', async () => {
      const good = [aStation(cpo), aStation(cpo), aStation(cpo)];
      // No such partner: the foreign key refuses the station.
      const refused = aStation({ id: 987_654, identifier: cpo.identifier });
      const outcomes = await inOneTurn([good[0]!, refused, good[1]!, good[2]!]);
      assert.match(String(outcomes[1]), /foreign key|FOREIGN KEY/i);
      for (const o of [outcomes[0], outcomes[2], outcomes[3]]) assert.equal((await stored(stationIdOf(o as SaveStationOutcome)))!.ownerPartnerId, cpo.id);
    });
  });
}
