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
    assert.deepEqual(r.of('DE*8PS', ['DE*8PS*E9']), []);
  });

  it('should keep every status as it was posted', () => {
    const r = new RecentChanges(10, 10);
    const statuses = ['Available', 'Occupied', 'Reserved', 'Offline', 'Unknown'] as const;
    statuses.forEach((status, i) => r.add('P', 'A', { at: i, evseId: 'A', status }));
    assert.deepEqual(r.of('P', ['A']).map((c) => c.status), [...statuses].reverse());
  });

  it('should forget the oldest changes hub-wide beyond its capacity, whichever EVSE they were of', () => {
    const r = new RecentChanges(20, 3);
    r.add('P', 'A', { at: 1000, evseId: 'A', status: 'Available' });
    r.add('P', 'B', { at: 2000, evseId: 'B', status: 'Available' });
    r.add('P', 'A', { at: 3000, evseId: 'A', status: 'Occupied' });
    r.add('P', 'C', { at: 4000, evseId: 'C', status: 'Available' }); // takes the place of A's first
    assert.deepEqual(r.of('P', ['A']).map((c) => c.status), ['Occupied']);
    assert.deepEqual(r.of('P', ['B']).map((c) => Date.parse(c.at)), [2000]);
    r.add('P', 'D', { at: 5000, evseId: 'D', status: 'Available' }); // takes the place of B's
    assert.deepEqual(r.of('P', ['B']), []);
    assert.deepEqual(r.of('P', ['A', 'B', 'C', 'D']).map((c) => Date.parse(c.at)), [5000, 4000, 3000]);
  });

  it('should list at most its per-station bound, the newest, after the ring has wrapped many times', () => {
    const r = new RecentChanges(5, 64);
    for (let i = 0; i < 1000; i++) r.add('P', i % 2 ? 'ODD' : 'EVEN', { at: i * 1000, evseId: i % 2 ? 'ODD' : 'EVEN', status: 'Available' });
    assert.deepEqual(r.of('P', ['ODD']).map((c) => Date.parse(c.at) / 1000), [999, 997, 995, 993, 991]);
    const all = new RecentChanges(1000, 64);
    for (let i = 0; i < 1000; i++) all.add('P', 'E', { at: i * 1000, evseId: 'E', status: 'Available' });
    const kept = all.of('P', ['E']).map((c) => Date.parse(c.at) / 1000);
    assert.deepEqual(kept, Array.from({ length: 64 }, (_, i) => 999 - i), 'the last 64 changes, none older');
  });

  it('should list in time order even when the clock stepped back between two changes', () => {
    const r = new RecentChanges(20, 10);
    r.add('P', 'A', { at: 5000, evseId: 'A', status: 'Available' });
    r.add('P', 'A', { at: 4000, evseId: 'A', status: 'Occupied' });
    assert.deepEqual(r.of('P', ['A']).map((c) => Date.parse(c.at)), [5000, 4000]);
  });
});
