/**
 * Stations around three centres (Paris, Berlin, and the corner of four hemispheres) and random
 * city-sized surface queries over them, for the tests that hold an in-memory surface index against
 * its engine's SQL (sqlite/poi/surface-live.test.ts, postgres/poi/surface-live.test.ts).
 * Example: `const f = new SurfaceFixture(seededRandom(11).next); await f.seed(storage, 900, 'LIV')`.
 */
import type { StationInput, SurfaceQuery } from '../../poi.js';
import type { Storage } from '../../types.js';
import { aPartner, aStation, stationIdOf } from './setup.js';

type Owner = { id: number; identifier: string };

export class SurfaceFixture {
  readonly centres = [[48.857, 2.352], [52.52, 13.405], [0.001, -0.001]] as const;
  /** Every station saved, with its latest input. */
  readonly saved: Array<{ id: number; input: StationInput; owner: Owner }> = [];
  a!: Owner;
  b!: Owner;

  constructor(private readonly rnd: () => number) {}

  /** Saves (or saves again) a station through `storage`, keeping `saved` current; its id. */
  async save(storage: Storage, input: StationInput, owner: Owner): Promise<number> {
    const id = stationIdOf(await storage.poi.saveStation(input));
    const old = this.saved.find((s) => s.id === id);
    if (old) old.input = input;
    else this.saved.push({ id, input, owner });
    return id;
  }

  /** Two CPOs and `n` stations around the centres (every tenth private), plus four on one spot (ties by id). */
  async seed(storage: Storage, n: number, tag: string): Promise<void> {
    this.a = await aPartner(storage, `${tag.toLowerCase()}-a`);
    this.b = await aPartner(storage, `${tag.toLowerCase()}-b`);
    for (let i = 0; i < n; i++) {
      const [lat, lon] = this.centres[i % this.centres.length]!;
      const owner = i % 3 === 0 ? this.b : this.a;
      await this.save(storage, aStation(owner, {
        latitude: Math.round((lat + (this.rnd() - 0.5) * 0.08) * 1e6) / 1e6,
        longitude: Math.round((lon + (this.rnd() - 0.5) * 0.08) * 1e6) / 1e6,
        isPrivate: i % 10 === 0,
        at: 1_000 + i,
        evse: Array.from({ length: 1 + (i % 3) }, (_, k) => `DE*${tag}*E${i}X${k}`),
      }), owner);
    }
    for (let i = 0; i < 4; i++) await this.save(storage, aStation(this.a, { latitude: 52.52, longitude: 13.405, at: 2_000 }), this.a);
  }

  /** The i-th random query: boxes of four sizes, four limits, and now and then excludes, operators or company types. */
  randomQuery(i: number): SurfaceQuery {
    const [lat, lon] = this.centres[i % this.centres.length]!;
    const half = [0.001, 0.01, 0.03, 0.08][i % 4]!;
    const cLat = lat + (this.rnd() - 0.5) * 0.06;
    const cLon = lon + (this.rnd() - 0.5) * 0.06;
    const q: SurfaceQuery = { minLat: cLat - half, maxLat: cLat + half, minLon: cLon - half * 1.6, maxLon: cLon + half, askerPartnerId: i % 2 ? this.a.id : this.b.id, limit: [1, 7, 50, 100][i % 4]! };
    if (i % 5 === 1) q.excludes = this.saved.filter((_, k) => k % 4 === 0).map((s) => s.id);
    if (i % 5 === 2) q.operatorIds = [this.a.id];
    if (i % 5 === 3) q.companyTypes = ['hotel'];
    return q;
  }

  /** `count` changes of every kind to random stations, each followed by a status post on its first connector; `after` runs after each. */
  async changeEveryKind(storage: Storage, count: number, after?: (s: SurfaceFixture['saved'][number], status: string) => Promise<void>): Promise<void> {
    for (let i = 0; i < count; i++) {
      const s = this.saved[Math.floor(this.rnd() * this.saved.length)]!;
      const change = i % 5;
      const at = 3_000 + i;
      if (change === 0) await this.save(storage, { ...s.input, deleted: true, at }, s.owner);
      else if (change === 1) await this.save(storage, { ...s.input, deleted: false, latitude: s.input.latitude + 0.004, name: `Moved ${i}`, at }, s.owner);
      else if (change === 2) await this.save(storage, { ...s.input, deleted: false, isPrivate: !s.input.isPrivate, at }, s.owner);
      else if (change === 3) await this.save(storage, { ...s.input, deleted: false, connectors: [...s.input.connectors].reverse(), at }, s.owner);
      else await this.save(storage, { ...s.input, deleted: false, name: `Renamed ${i}`, at }, s.owner);
      const status = (['Available', 'Occupied', 'Reserved', 'Offline'] as const)[i % 4];
      await storage.poi.setStatus(s.owner.identifier, s.input.connectors[0]!.evseKey, status, 4_000 + i);
      await after?.(s, status);
    }
    // New stations, and many statuses committed at once.
    for (let i = 0; i < 30; i++) await this.save(storage, aStation(this.b, { latitude: 48.857 + i * 1e-4, longitude: 2.352, at: 5_000 + i }), this.b);
    await Promise.all(this.saved.slice(0, 200).map((s, i) => storage.poi.setStatus(s.owner.identifier, s.input.connectors[0]!.evseKey, i % 2 ? 'Occupied' : 'Available', 6_000)));
  }
}
