/** The recent status changes a station panel lists, gathered from its connectors' EVSE keys. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecentChanges } from './recent.js';

describe('RecentChanges', () => {
  it("should list a station's changes over its connectors newest first, under its owner only", () => {
    const r = new RecentChanges(3, 100);
    r.add('DE*8PS', 'DE8PSE1', { at: 1000, evseId: 'DE*8PS*E1', status: 'Available' });
    r.add('DE*8PS', 'DE8PSE2', { at: 2000, evseId: 'DE*8PS*E2', status: 'Occupied' });
    r.add('DE*XYZ', 'DE8PSE1', { at: 3000, evseId: 'DE*8PS*E1', status: 'Offline' });
    r.add('DE*8PS', 'DE8PSE1', { at: 4000, evseId: 'DE*8PS*E1', status: 'Occupied' });
    r.add('DE*8PS', 'DE8PSE1', { at: 5000, evseId: 'DE*8PS*E1', status: 'Available' });
    // EVSE ids as the station holds them, in any spelling evseKey accepts.
    const list = r.of('DE*8PS', ['de*8ps*e1', 'DE*8PS*E2']);
    assert.deepEqual(list.map((c) => [c.evseId, c.status]), [['DE*8PS*E1', 'Available'], ['DE*8PS*E1', 'Occupied'], ['DE*8PS*E2', 'Occupied']]);
    assert.equal(Date.parse(list[0]!.at), 5000);
    assert.deepEqual(r.of('DE*XYZ', ['DE*8PS*E1']).map((c) => c.status), ['Offline']);
    assert.deepEqual(r.of('DE*8PS', []), []);
  });

  it('should forget the least recently changed EVSEs beyond its bound', () => {
    const r = new RecentChanges(20, 2);
    r.add('P', 'A', { at: 1, evseId: 'A', status: 'Available' });
    r.add('P', 'B', { at: 2, evseId: 'B', status: 'Available' });
    r.add('P', 'A', { at: 3, evseId: 'A', status: 'Occupied' });
    r.add('P', 'C', { at: 4, evseId: 'C', status: 'Available' });
    assert.deepEqual(r.of('P', ['B']), []);
    assert.equal(r.of('P', ['A', 'C']).length, 3);
  });
});
