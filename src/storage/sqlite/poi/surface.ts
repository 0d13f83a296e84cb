/**
 * station-get-surface on SQLite: the N stations of a box nearest to its centre, without sorting
 * every station of a country-sized box.
 *
 * Nearest-first with a LIMIT cannot come from the R*Tree alone, and ORDER BY distance over a box
 * holding 100k stations costs tens of milliseconds. So the query works on a square window around
 * the centre: first shrunk (cheap R*Tree-only counts) until it holds fewer than a few times N
 * stations, then grown until the circle inscribed in it holds more than N matches (those are
 * then surely the nearest, anything outside the window being farther) or it covers the box.
 * Distances are equirectangular: longitude scaled by cos(centre latitude).
 */
import type Database from 'better-sqlite3';
import type { Db } from '../database.js';
import type { ConnectorStatusValue, SurfaceQuery, SurfaceStationRecord } from '../../poi.js';

interface Window { minLat: number; maxLat: number; minLon: number; maxLon: number; full: boolean }
type Candidate = [id: number, lat: number, lon: number];

/** How many times N stations a window may hold before it is shrunk. */
const DENSITY_FACTOR = 4;

const OVERLAP = 'r.max_lat >= @minLat AND r.min_lat <= @maxLat AND r.max_lon >= @minLon AND r.min_lon <= @maxLon';

/** Prepared statements of surface queries; filtered candidate statements are cached per filter shape. */
export class SurfaceQueries {
  private readonly count: Database.Statement;
  private readonly publicBoxes: Database.Statement;
  private readonly ownPrivate: Database.Statement;
  private readonly exact: Database.Statement;
  private readonly details: Database.Statement;
  private readonly connectors: Database.Statement;
  private readonly shapes = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {
    this.count = db.prepare('SELECT count(*) FROM (SELECT 1 FROM station_rtree WHERE max_lat >= ? AND min_lat <= ? AND max_lon >= ? AND min_lon <= ? LIMIT ?)').pluck();
    // Unfiltered: the public R*Tree alone (no row of `stations` is read), plus the asker's private ones.
    this.publicBoxes = db.prepare(`SELECT r.id, r.min_lat, r.max_lat, r.min_lon, r.max_lon FROM station_rtree r WHERE ${OVERLAP}`).raw();
    this.ownPrivate = db.prepare(`SELECT r.id, r.min_lat, r.max_lat, r.min_lon, r.max_lon FROM private_station_rtree r CROSS JOIN stations s ON s.id = r.id
      WHERE ${OVERLAP} AND s.partner_id = @asker`).raw();
    this.exact = db.prepare('SELECT id, latitude, longitude FROM stations WHERE id IN (SELECT value FROM json_each(?))').raw();
    this.details = db.prepare('SELECT id, name, latitude, longitude, owner_type, static_changed_at FROM stations WHERE id IN (SELECT value FROM json_each(?))').raw();
    this.connectors = db.prepare('SELECT station_id, id, status FROM connectors WHERE station_id IN (SELECT value FROM json_each(?)) ORDER BY station_id, position').raw();
  }

  /** The filtered candidate query for the filters present in `q` (built once per shape), or undefined without filters. */
  private filtered(q: SurfaceQuery): Database.Statement | undefined {
    const types = !!q.connectorTypes?.length;
    const connector = types || q.speedAtLeast !== undefined || q.speedAtMost !== undefined;
    const shape = `${q.operatorIds?.length ? 'o' : ''}${q.companyTypes?.length ? 'c' : ''}${types ? 't' : ''}${q.speedAtLeast !== undefined ? 'g' : ''}${q.speedAtMost !== undefined ? 'l' : ''}`;
    if (shape === '') return undefined;
    let stmt = this.shapes.get(shape);
    if (stmt) return stmt;
    let where = 's.latitude BETWEEN @minLat AND @maxLat AND s.longitude BETWEEN @minLon AND @maxLon';
    if (shape.includes('o')) where += ' AND s.partner_id IN (SELECT value FROM json_each(@operators))';
    if (shape.includes('c')) where += ' AND s.owner_type IN (SELECT value FROM json_each(@companyTypes))';
    if (connector) {
      // One connector must satisfy every connector filter at once: "a Type2 faster than 22 kW".
      where += ' AND EXISTS (SELECT 1 FROM connectors c WHERE c.station_id = s.id';
      if (types) where += ' AND c.type IN (SELECT value FROM json_each(@connectorTypes))';
      if (q.speedAtLeast !== undefined) where += ' AND c.speed >= @speedAtLeast';
      if (q.speedAtMost !== undefined) where += ' AND c.speed <= @speedAtMost';
      where += ')';
    }
    const from = (tree: string) => `SELECT s.id, s.latitude, s.longitude FROM ${tree} r CROSS JOIN stations s ON s.id = r.id WHERE ${OVERLAP} AND ${where}`;
    stmt = this.db.prepare(`${from('station_rtree')} UNION ALL ${from('private_station_rtree')} AND s.partner_id = @asker`).raw();
    this.shapes.set(shape, stmt);
    return stmt;
  }

  /**
   * Stations of the window from the R*Trees alone. A box certainly inside the window is a match;
   * one that only overlaps it (32-bit rounding, within a metre of an edge) is checked on `stations`.
   */
  private unfiltered(win: Omit<Window, 'full'>, asker: number): Candidate[] {
    const out: Candidate[] = [];
    const unsure: number[] = [];
    const take = (rows: Array<[number, number, number, number, number]>) => {
      for (const [id, a, b, c, d] of rows) {
        if (a >= win.minLat && b <= win.maxLat && c >= win.minLon && d <= win.maxLon) out.push([id, (a + b) / 2, (c + d) / 2]);
        else unsure.push(id);
      }
    };
    take(this.publicBoxes.all(win) as any);
    take(this.ownPrivate.all({ ...win, asker }) as any);
    if (unsure.length) {
      for (const [id, lat, lon] of this.exact.all(JSON.stringify(unsure)) as Candidate[]) {
        if (lat >= win.minLat && lat <= win.maxLat && lon >= win.minLon && lon <= win.maxLon) out.push([id, lat, lon]);
      }
    }
    return out;
  }

  /** Runs a surface query. Example: `queries.run({ minLat: 52, maxLat: 53, minLon: 13, maxLon: 14, askerPartnerId: 2, limit: 500 })`. */
  run(q: SurfaceQuery): { stations: SurfaceStationRecord[]; hasMore: boolean } {
    const cLat = (q.minLat + q.maxLat) / 2;
    const cLon = (q.minLon + q.maxLon) / 2;
    const k = Math.max(Math.cos((cLat * Math.PI) / 180), 1e-6);
    const windowOf = (w: number): Window => {
      const dLon = w / k;
      return {
        minLat: Math.max(q.minLat, cLat - w), maxLat: Math.min(q.maxLat, cLat + w),
        minLon: Math.max(q.minLon, cLon - dLon), maxLon: Math.min(q.maxLon, cLon + dLon),
        full: cLat - w <= q.minLat && cLat + w >= q.maxLat && cLon - dLon <= q.minLon && cLon + dLon >= q.maxLon,
      };
    };
    const need = q.limit + 1;
    const cap = need * DENSITY_FACTOR;
    let w = Math.max((q.maxLat - q.minLat) / 2, ((q.maxLon - q.minLon) / 2) * k);
    for (let i = 0; i < 40 && w > 1e-7; i++) {
      const win = windowOf(w);
      if ((this.count.get(win.minLat, win.maxLat, win.minLon, win.maxLon, cap) as number) < cap) break;
      w /= 2;
    }
    const stmt = this.filtered(q);
    // Each shape uses exactly the parameters of the filters present (absent ones must not be missing).
    const filters: Record<string, unknown> = { asker: q.askerPartnerId };
    if (q.operatorIds?.length) filters.operators = JSON.stringify(q.operatorIds);
    if (q.companyTypes?.length) filters.companyTypes = JSON.stringify(q.companyTypes);
    if (q.connectorTypes?.length) filters.connectorTypes = JSON.stringify(q.connectorTypes);
    if (q.speedAtLeast !== undefined) filters.speedAtLeast = q.speedAtLeast;
    if (q.speedAtMost !== undefined) filters.speedAtMost = q.speedAtMost;
    const excluded = q.excludes?.length ? new Set(q.excludes) : undefined;
    for (;;) {
      const { full, ...box } = windowOf(w);
      const scored: Array<{ id: number; d: number }> = [];
      const rows = stmt ? (stmt.all({ ...filters, ...box }) as Candidate[]) : this.unfiltered(box, q.askerPartnerId);
      for (const [id, lat, lon] of rows) {
        if (excluded?.has(id)) continue;
        const dy = lat - cLat;
        const dx = (lon - cLon) * k;
        const d = Math.sqrt(dx * dx + dy * dy);
        // Outside the inscribed circle a nearer station may still lie outside the window.
        if (full || d <= w * (1 - 1e-12)) scored.push({ id, d });
      }
      if (full || scored.length >= need) {
        scored.sort((a, b) => a.d - b.d || a.id - b.id);
        const ids = scored.slice(0, q.limit).map((s) => s.id);
        return { stations: this.load(ids), hasMore: scored.length > q.limit };
      }
      w *= 2;
    }
  }

  /** Name, position and connector statuses of the chosen stations, in the given order: two queries. */
  private load(ids: number[]): SurfaceStationRecord[] {
    if (ids.length === 0) return [];
    const json = JSON.stringify(ids);
    const byId = new Map<number, SurfaceStationRecord>();
    for (const [id, name, latitude, longitude, ownerType, staticChangedAt] of this.details.all(json) as any[]) {
      byId.set(id, { id, name, latitude, longitude, ownerType, staticChangedAt, connectors: [] });
    }
    for (const [stationId, id, status] of this.connectors.all(json) as Array<[number, number, ConnectorStatusValue]>) {
      byId.get(stationId)?.connectors.push({ id, status });
    }
    return ids.map((id) => byId.get(id)!).filter(Boolean);
  }
}
