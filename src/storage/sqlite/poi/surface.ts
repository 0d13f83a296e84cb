/**
 * station-get-surface on SQLite: the N stations of a box nearest to its centre, read from
 * `surface_stations` (migration 800), one narrow row per live station clustered by the Morton code
 * of its grid cell, so a window is a few contiguous key ranges of a few pages, and each row holds
 * everything the answer needs (no `stations` or `connectors` row is read, unless a connector
 * filter asks).
 *
 * Nearest-first with a LIMIT: the query works on a square window around the centre, grown until
 * the circle inscribed in it holds more than N matches (those are then surely the nearest,
 * anything outside the window being farther) or the window covers the box. It starts small (a few
 * hundred metres: enough in a city centre) and grows by what the last window's density says it
 * needs. Within a window SQLite computes the distances, keeps the N+1 nearest in the circle
 * (ORDER BY distance, id LIMIT) and returns only those, with their answer fields.
 * Distances are equirectangular: longitude scaled by cos(centre latitude); the answer does not
 * depend on the windows tried, only on the data.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../database.js';
import type { ConnectorStatusValue, SurfaceQuery, SurfaceStationRecord } from '../../poi.js';
import { connectorStatuses, SURFACE_CELL_BITS } from '../migrations/800-surface.js';

interface Window { minLat: number; maxLat: number; minLon: number; maxLon: number; full: boolean }
type Row = [id: number, name: string, lat: number, lon: number, ownerType: string | null, staticChangedAt: number, connectorIds: string, statuses: string];

const GRID = 2 ** SURFACE_CELL_BITS;

/**
 * The current statuses of `surface_stations` row `s`: a station marked in map_dirty changed status
 * since its row was written, and its statuses come from `connectors` (migration 830), in position
 * order like the row's.
 */
export const CURRENT_STATUSES = `CASE WHEN EXISTS (SELECT 1 FROM map_dirty m WHERE m.station_id = s.id) THEN ${connectorStatuses('s.id')} ELSE s.statuses END`;
/** The first window's half-side, degrees of latitude (about 550 m): ~100 stations in the densest city centres. */
const FIRST_WINDOW = 0.005;
/** At most this many grid blocks per window (before merging neighbours into one key range). */
const MAX_BLOCKS = 24;

/** Spreads the 16 low bits of `v` to the even bits of the result (Morton order). */
function spread(v: number): number {
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  return (v | (v << 1)) & 0x55555555;
}

/** The grid column/row of a coordinate as migration 800's SQL computes it (clamped to the grid). */
function axis(value: number, offset: number, span: number): number {
  return Math.max(0, Math.min(GRID - 1, Math.trunc(((value + offset) * GRID) / span)));
}

/** The Morton code of grid cell (x, y), as the `cell` column holds it. Example: `surfaceCellOf(52.52, 13.4)`. */
export function surfaceCellOf(lat: number, lon: number): number {
  return mortonOf(axis(lon, 180, 360), axis(lat, 90, 180));
}

function mortonOf(x: number, y: number): number {
  return spread(x) + 2 * spread(y);
}

/**
 * The `cell` ranges [lo, hi] covering a window: grid blocks of 4^s cells (s the smallest that
 * keeps the window within MAX_BLOCKS blocks), neighbours in Morton order merged. One cell of
 * margin on each side: the rows are then filtered on their exact coordinates anyway.
 */
export function cellRanges(win: { minLat: number; maxLat: number; minLon: number; maxLon: number }): Array<[number, number]> {
  const x0 = Math.max(0, axis(win.minLon, 180, 360) - 1);
  const x1 = Math.min(GRID - 1, axis(win.maxLon, 180, 360) + 1);
  const y0 = Math.max(0, axis(win.minLat, 90, 180) - 1);
  const y1 = Math.min(GRID - 1, axis(win.maxLat, 90, 180) + 1);
  let s = 0;
  while (s < SURFACE_CELL_BITS && ((x1 >> s) - (x0 >> s) + 1) * ((y1 >> s) - (y0 >> s) + 1) > MAX_BLOCKS) s++;
  const size = 4 ** s;
  const starts: number[] = [];
  for (let y = y0 >> s; y <= y1 >> s; y++) {
    for (let x = x0 >> s; x <= x1 >> s; x++) starts.push(mortonOf(x, y) * size);
  }
  starts.sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const lo of starts) {
    const last = out[out.length - 1];
    if (last && last[1] + 1 === lo) last[1] = lo + size - 1;
    else out.push([lo, lo + size - 1]);
  }
  return out;
}

/** Prepared statements of surface queries, one per filter shape (built on first use). */
export class SurfaceQueries {
  private readonly shapes = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {
    this.statement('');
  }

  /**
   * The window query for the filters present in `shape` (letters of `run`). Anonymous parameters,
   * in this order: cLon, k, cLon, k, cLat, cLat, ranges, then the arm (minLat, maxLat, minLon,
   * maxLon, asker, each filter's value, radius); for the staging branch cLon, k, cLon, k, cLat,
   * cLat and the arm again; then limit (binding an array costs less than named ones).
   */
  private statement(shape: string): Database.Statement {
    let stmt = this.shapes.get(shape);
    if (stmt) return stmt;
    // Same arithmetic, in the same order, as the hub always used: dy = lat - cLat, dx = (lon - cLon) * k, sqrt(dx² + dy²).
    let where = `s.lat BETWEEN ? AND ? AND s.lon BETWEEN ? AND ? AND (s.is_private = 0 OR s.partner_id = ?)`;
    if (shape.includes('o')) where += ' AND s.partner_id IN (SELECT value FROM json_each(?))';
    if (shape.includes('c')) where += ' AND s.owner_type IN (SELECT value FROM json_each(?))';
    if (/[tgl]/.test(shape)) {
      // One connector must satisfy every connector filter at once: "a Type2 faster than 22 kW".
      where += ' AND EXISTS (SELECT 1 FROM connectors c WHERE c.station_id = s.id';
      if (shape.includes('t')) where += ' AND c.type IN (SELECT value FROM json_each(?))';
      if (shape.includes('g')) where += ' AND c.speed >= ?';
      if (shape.includes('l')) where += ' AND c.speed <= ?';
      where += ')';
    }
    const select = `SELECT s.id, s.name, s.lat, s.lon, s.owner_type, s.static_changed_at, s.connector_ids, ${CURRENT_STATUSES},
        sqrt(((s.lon - ?) * ?) * ((s.lon - ?) * ?) + (s.lat - ?) * (s.lat - ?)) AS d`;
    // CROSS JOIN: the ranges drive, each one a seek and a scan of `surface_stations`' key. New
    // stations whose rows still wait in `surface_staging` (migration 880) are scanned whole: few,
    // unless a CPO's full load is under way (0.4 µs a staged row: 40 ms a query with 100k staged,
    // until the map refresher has moved them, seconds after the load). An index on the staged
    // rows' cell halved that but cost a random page per new station again (2.0 WAL pages per
    // station-post instead of 1.1).
    // `LIMIT ? + 0`, not `LIMIT ?`: SQLite 3.53 re-prepares a statement whose LIMIT is a bare
    // parameter at every run (it may plan by its value), which cost more than the query itself.
    stmt = this.db.prepare(`${select} FROM json_each(?) r CROSS JOIN surface_stations s
        WHERE s.cell BETWEEN r.value ->> 0 AND r.value ->> 1 AND ${where} AND d <= ?
      UNION ALL ${select} FROM surface_staging s WHERE ${where} AND d <= ?
      ORDER BY d, 1 LIMIT ? + 0`).raw();
    this.shapes.set(shape, stmt);
    return stmt;
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
    let shape = '';
    const filters: unknown[] = [];
    if (q.operatorIds?.length) (shape += 'o'), filters.push(JSON.stringify(q.operatorIds));
    if (q.companyTypes?.length) (shape += 'c'), filters.push(JSON.stringify(q.companyTypes));
    if (q.connectorTypes?.length) (shape += 't'), filters.push(JSON.stringify(q.connectorTypes));
    if (q.speedAtLeast !== undefined) (shape += 'g'), filters.push(q.speedAtLeast);
    if (q.speedAtMost !== undefined) (shape += 'l'), filters.push(q.speedAtMost);
    const stmt = this.statement(shape);
    const excluded = q.excludes?.length ? new Set(q.excludes) : undefined;
    // Excluded stations are dropped here: asking for that many more keeps the N+1 nearest others.
    const lim = need + (q.excludes?.length ?? 0);
    let w = Math.min(FIRST_WINDOW, Math.max((q.maxLat - q.minLat) / 2, ((q.maxLon - q.minLon) / 2) * k));
    if (!(w > 0)) w = 1e-9;
    for (;;) {
      const win = windowOf(w);
      // Outside the inscribed circle a nearer station may still lie outside the window.
      const radius = win.full ? Number.MAX_VALUE : w * (1 - 1e-12);
      const arm = [win.minLat, win.maxLat, win.minLon, win.maxLon, q.askerPartnerId, ...filters, radius];
      let rows = stmt.all(cLon, k, cLon, k, cLat, cLat, JSON.stringify(cellRanges(win)), ...arm, cLon, k, cLon, k, cLat, cLat, ...arm, lim) as Row[];
      if (excluded) rows = rows.filter((r) => !excluded.has(r[0]));
      if (win.full || rows.length >= need) {
        return { stations: rows.slice(0, q.limit).map(recordOf), hasMore: rows.length > q.limit };
      }
      // Grow to what the circle's density says holds N+1 (with a margin), by 1.25x to 4x.
      w *= rows.length === 0 ? 4 : Math.min(4, Math.max(1.25, 1.2 * Math.sqrt(need / rows.length)));
    }
  }
}

/** A surface row as the repository answers it. */
function recordOf([id, name, latitude, longitude, ownerType, staticChangedAt, connectorIds, statuses]: Row): SurfaceStationRecord {
  return { id, name, latitude, longitude, ownerType, staticChangedAt, connectors: connectorsOfRow(connectorIds, statuses) };
}

/**
 * The connectors of a `surface_stations` row from its two comma-separated columns.
 * Example: `connectorsOfRow('12,13', 'Available,Unknown')` -> `[{ id: 12, status: 'Available' }, { id: 13, status: 'Unknown' }]`.
 */
export function connectorsOfRow(connectorIds: string, statuses: string): SurfaceStationRecord['connectors'] {
  const connectors: SurfaceStationRecord['connectors'] = [];
  if (connectorIds === '') return connectors;
  const ids = connectorIds.split(',');
  const st = statuses.split(',');
  for (let i = 0; i < ids.length; i++) connectors.push({ id: Number(ids[i]), status: st[i] as ConnectorStatusValue });
  return connectors;
}
