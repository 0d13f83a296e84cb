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

  it('should keep the most recently changed EVSEs when it evicts many at once, and stay within an eighth over its bound', () => {
    const r = new RecentChanges(20, 80);
    const keep = (i: number) => r.of('P', [`E${i}`]).length > 0;
    for (let i = 0; i < 90; i++) r.add('P', `E${i}`, { at: i, evseId: `E${i}`, status: 'Available' });
    r.add('P', 'E0', { at: 100, evseId: 'E0', status: 'Occupied' }); // touched: now the most recent
    assert.ok(Array.from({ length: 90 }, (_, i) => i).every(keep), 'nothing evicted up to 80 + 10');
    r.add('P', 'E90', { at: 101, evseId: 'E90', status: 'Available' }); // 91 EVSEs: back down to 80
    const kept = Array.from({ length: 91 }, (_, i) => i).filter(keep);
    assert.deepEqual(kept, [0, ...Array.from({ length: 79 }, (_, i) => i + 12)], 'E1..E11, the least recently changed, are gone');
    for (let i = 91; i < 1000; i++) r.add('P', `E${i}`, { at: i + 100, evseId: `E${i}`, status: 'Available' });
    const left = Array.from({ length: 1000 }, (_, i) => i).filter(keep);
    assert.ok(left.length >= 80 && left.length <= 90, `${left.length} EVSEs kept`);
    assert.deepEqual(left, Array.from({ length: left.length }, (_, i) => 1000 - left.length + i), 'the newest ones');
  });
});
