/** The map refresher: drains every mark while the hub is quiet, one small slice per interval while it is busy. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { aPartner, aStation, rawQuery, useStorage } from '../../storage/contract/test-support/setup.js';
import { performance } from 'node:perf_hooks';
import { refreshRound, sampleUtilization, startMapRefresher } from './map-refresher.js';

describe('map refresher', () => {
  const h = useStorage('sqlite');
  const marks = async () => Number((await rawQuery<{ n: number }>('sqlite', h.url, 'SELECT count(*) AS n FROM map_dirty'))[0]!.n);
  let owner: { id: number; identifier: string };
  let next = 0;
  /** Marks `n` stations: a status change on a connector of each. */
  const markStations = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const evse = `DE*MRF*E${++next}`;
      const saved = await h.storage.poi.saveStation(aStation(owner, { evse: [evse] }));
      assert.ok(saved.ok);
      assert.equal(await h.storage.poi.setStatus(owner.identifier, evse.replace(/\*/g, ''), 'Occupied', 2_000 + next), 1);
    }
  };
  before(async () => {
    owner = await aPartner(h.storage, 'refresher', ['cpo']);
  });

  it('should take one small slice while busy and drain every mark while quiet', async () => {
    await markStations(25);
    const before = await marks();
    assert.ok(before >= 25, `${before} marked`);
    assert.equal(await refreshRound(h.storage.dashboard, true, { slice: 4, busySlice: 3 }), 3);
    assert.equal(await marks(), before - 3, 'busy: one slice of busySlice');
    assert.equal(await refreshRound(h.storage.dashboard, false, { slice: 4, busySlice: 3 }), before - 3);
    assert.equal(await marks(), 0, 'quiet: slices until none is left');
  });

  it('should stop a quiet drain at the first check between slices that finds the hub busy', async () => {
    await markStations(20);
    const before = await marks();
    let checks = 0;
    // Quiet at the first check, busy at the second: two slices of four, then the drain stops.
    const n = await refreshRound(h.storage.dashboard, false, { slice: 4, busySlice: 3 }, () => false, () => checks++ < 1);
    assert.equal(n, 8);
    assert.equal(checks, 2);
    assert.equal(await marks(), before - 8, 'the rest waits for a quiet interval');
    assert.equal(await refreshRound(h.storage.dashboard, false, { slice: 4, busySlice: 3 }), before - 8);
    assert.equal(await marks(), 0);
  });

  it('should sample the hub between the slices of a quiet drain, and take busy slices once it is busy', async () => {
    await markStations(30);
    const limits: number[] = [];
    const dashboard = { refreshMap: (limit: number) => (limits.push(limit), h.storage.dashboard.refreshMap(limit)) };
    const storage = Object.assign(Object.create(h.storage) as typeof h.storage, { dashboard });
    let samples = 0;
    // Quiet at the interval's own sample (as after a pause: SIGSTOP, a VM halted), busy ever after.
    const worker = startMapRefresher(
      { storage, log: { warn() {}, info() {}, error() {}, debug() {} } as never },
      { intervalMs: 5, slice: 5, busySlice: 1, busyUtilization: 0.5, utilization: () => (samples++ === 0 ? 0.1 : 0.9) },
    );
    try {
      for (let i = 0; i < 400 && limits.length < 4; i++) await new Promise((r) => setTimeout(r, 5));
    } finally {
      await worker.stop();
    }
    assert.deepEqual(limits.slice(0, 4), [5, 1, 1, 1], 'one quiet slice, then one busy slice an interval');
  });

  it('should decide busy or quiet from the event loop\'s utilization of each interval', async () => {
    await markStations(40);
    const seen: number[] = [];
    let busy = true;
    const worker = startMapRefresher(
      { storage: h.storage, log: { warn() {}, info() {}, error() {}, debug() {} } as never },
      { intervalMs: 10, slice: 100, busySlice: 2, busyUtilization: 0.5, utilization: () => (busy ? 0.9 : 0.1) },
    );
    try {
      for (let i = 0; i < 200 && (seen.length === 0 || seen.at(-1)! > 36); i++) {
        await new Promise((r) => setTimeout(r, 5));
        seen.push(await marks());
      }
      const left = seen.at(-1)!;
      assert.ok(left > 0 && left <= 36 && left % 2 === 0, `busy: two stations an interval (${seen.join(',')})`);
      busy = false;
      for (let i = 0; i < 200 && (await marks()) > 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await marks(), 0, 'quiet again: the rest in one round');
    } finally {
      await worker.stop();
    }
  });
});

describe('map refresher utilization sample', () => {
  it('should count a busy write path as busy even while the event loop idles', async () => {
    // A write path busy all the time (fsyncs back to back) and an idle event loop: busy.
    const t0 = performance.now();
    assert.ok((await sampleUtilization(40, () => performance.now() - t0)) > 0.9);
    // An idle write path adds nothing: the event loop's own utilization, low while it sleeps.
    assert.ok((await sampleUtilization(40, () => 123)) < 0.5);
    assert.ok((await sampleUtilization(40)) < 0.5);
  });

});

describe('map refresher on a busy write path', () => {
  const h = useStorage('sqlite');
  const marks = async () => Number((await rawQuery<{ n: number }>('sqlite', h.url, 'SELECT count(*) AS n FROM map_dirty'))[0]!.n);

  it('should back off by default while the storage\'s write path is busy, and drain once it is idle', async () => {
    const owner = await aPartner(h.storage, 'busy-path', ['cpo']);
    for (let i = 0; i < 30; i++) assert.ok((await h.storage.poi.saveStation(aStation(owner, { evse: [`DE*BWP*E${i}`] }))).ok);
    assert.equal(await marks(), 30, 'each new station waits for the map (migration 870)');
    let pathBusy = true;
    const t0 = performance.now();
    // The write path as the storage reports it: busy all the time (fsyncs back to back), then idle.
    const storage = Object.assign(Object.create(h.storage) as typeof h.storage, { writeBusyMs: () => (pathBusy ? performance.now() - t0 : 0) });
    const worker = startMapRefresher({ storage, log: { warn() {}, info() {}, error() {}, debug() {} } as never }, { intervalMs: 5, slice: 100, busySlice: 1 });
    try {
      for (let i = 0; i < 400 && (await marks()) > 26; i++) await new Promise((r) => setTimeout(r, 5));
      const left = await marks();
      assert.ok(left <= 26 && left >= 20, `busy: one station an interval (${left} left)`);
      pathBusy = false;
      for (let i = 0; i < 400 && (await marks()) > 0; i++) await new Promise((r) => setTimeout(r, 5));
      assert.equal(await marks(), 0, 'idle: the rest in one round');
    } finally {
      await worker.stop();
    }
  });
});

describe('map refresher, stopped while it samples the event loop', () => {
  it('should resolve stop() when nothing else keeps the process alive', async () => {
    // Nothing else is pending in this suite: a sample that waited on an unref'd timer left stop()
    // pending with an empty event loop ("Promise resolution is still pending…").
    const storage = { dashboard: { refreshMap: async () => 0 } };
    const worker = startMapRefresher({ storage, log: { warn() {} } } as never, { intervalMs: 1 });
    await new Promise((r) => setTimeout(r, 10)); // inside the first 50 ms sample
    await worker.stop();
  });
});
