/**
 * station-get-surface on PostgreSQL: the N stations of a box nearest to its centre.
 *
 * The GiST index over live stations' `location` can answer "nearest to the centre first" (KNN,
 * `ORDER BY location <-> centre`) as an ordered index scan bounded by the box (Index Cond) that
 * stops at LIMIT. The planner does not pick it by itself: it estimates a fixed tiny share of rows
 * inside any box, so it prefers a bitmap scan of the whole box plus a top-N sort, which ignores
 * LIMIT. Measured with EXPLAIN ANALYZE on 100k stations spread over Germany (PostgreSQL 15, 2
 * busy cores, box = all of Germany, LIMIT 1002): default plan "Bitmap Heap Scan" reading all 100,000
 * rows then "Sort (top-N heapsort)", 60–160 ms; with bitmap and sequential scans switched off for
 * this one statement (SET LOCAL), "Index Scan using stations_live_location, Index Cond: location <@
 * box, Order By: location <-> point" reading 1,002 rows, 1.6–1.9 ms. With a connector filter
 * (Combo >= 50 kW, a third of the stations) the forced plan read 3,018 stations instead of 100,000.
 * Since migration 800 the index (`stations_live_location_covering`) also holds id, coordinates,
 * private flag and owner: an unfiltered box is an Index Only Scan (200k stations, city box,
 * LIMIT 202: 8 buffers, "Heap Fetches: 0", 0.3 ms).
 *
 * `<->` is the plain Euclidean distance in degrees, but the hub ranks by equirectangular distance
 * (longitude scaled by k = cos(centre latitude)), exactly as SQLite does. Since k·raw <= scaled <= raw,
 * the scan fetches nearest-by-degrees in growing pages until the (limit+1)-th best scaled distance
 * D is below k times the raw distance of the last row fetched: every station not fetched yet is
 * then farther than D, so the answer and `hasMore` are exact.
 */
import type { ConnectorStatusValue, SurfaceQuery, SurfaceStationRecord } from '../../poi.js';
import type { PgDatabase } from '../database.js';
import { safeIds } from './reads.js';

/** The candidate query for `q`'s filters, with its parameters ($1–$8 are box, centre, asker, limit). */
function candidateQuery(q: SurfaceQuery, cLat: number, cLon: number): { sql: string; params: unknown[] } {
  const params: unknown[] = [q.minLat, q.maxLat, q.minLon, q.maxLon, cLon, cLat, q.askerPartnerId, 0];
  const arg = (v: unknown) => `$${params.push(v)}`;
  // `<@` compares with a 1e-6 tolerance; the BETWEENs keep the box edges exact, as on SQLite.
  let where = `s.deleted = 0 AND s.location <@ box(point($3, $1), point($4, $2))
    AND s.latitude BETWEEN $1 AND $2 AND s.longitude BETWEEN $3 AND $4 AND (s.is_private = 0 OR s.partner_id = $7)`;
  const excludes = safeIds(q.excludes ?? []);
  if (excludes.length) where += ` AND NOT (s.id = ANY(${arg(excludes)}::bigint[]))`;
  if (q.operatorIds?.length) where += ` AND s.partner_id = ANY(${arg(safeIds(q.operatorIds))}::bigint[])`;
  if (q.companyTypes?.length) where += ` AND s.owner_type = ANY(${arg(q.companyTypes)}::text[])`;
  const types = !!q.connectorTypes?.length;
  if (types || q.speedAtLeast !== undefined || q.speedAtMost !== undefined) {
    // One connector must satisfy every connector filter at once: "a Type2 faster than 22 kW".
    where += ' AND EXISTS (SELECT 1 FROM connectors c WHERE c.station_id = s.id';
    if (types) where += ` AND c.type = ANY(${arg(q.connectorTypes)}::text[])`;
    if (q.speedAtLeast !== undefined) where += ` AND c.speed >= ${arg(q.speedAtLeast)}`;
    if (q.speedAtMost !== undefined) where += ` AND c.speed <= ${arg(q.speedAtMost)}`;
    where += ')';
  }
  return { sql: `SELECT s.id, s.latitude, s.longitude FROM stations s WHERE ${where} ORDER BY s.location <-> point($5, $6) LIMIT $8`, params };
}

/** Runs a surface query. Example: `await surface(db, { minLat: 52, maxLat: 53, minLon: 13, maxLon: 14, askerPartnerId: 2, limit: 500 })`. */
export async function surface(db: PgDatabase, q: SurfaceQuery): Promise<{ stations: SurfaceStationRecord[]; hasMore: boolean }> {
  const cLat = (q.minLat + q.maxLat) / 2;
  const cLon = (q.minLon + q.maxLon) / 2;
  const k = Math.max(Math.cos((cLat * Math.PI) / 180), 1e-6);
  const need = q.limit + 1;
  const { sql, params } = candidateQuery(q, cLat, cLon);
  for (let page = need * 2; ; page *= 4) {
    params[7] = page;
    const rows = await db.tx(async (c) => {
      await c.query('SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off');
      return (await c.query<{ id: number; latitude: number; longitude: number }>(sql, params)).rows;
    });
    const scored = rows.map((r) => {
      const dy = r.latitude - cLat;
      const dx = (r.longitude - cLon) * k;
      return { id: r.id, d: Math.sqrt(dx * dx + dy * dy) };
    });
    scored.sort((a, b) => a.d - b.d || a.id - b.id);
    const exhausted = rows.length < page;
    if (!exhausted) {
      const last = rows[rows.length - 1]!;
      const raw = Math.hypot(last.longitude - cLon, last.latitude - cLat);
      if (!(k * raw > scored[need - 1]!.d * (1 + 1e-9) + 1e-12)) continue;
    }
    const ids = scored.slice(0, q.limit).map((s) => s.id);
    return { stations: await load(db, ids), hasMore: scored.length > q.limit };
  }
}

/** Name, position and connector statuses of the chosen stations, in the given order: two queries. */
async function load(db: PgDatabase, ids: number[]): Promise<SurfaceStationRecord[]> {
  if (ids.length === 0) return [];
  const byId = new Map<number, SurfaceStationRecord>();
  const stations = await db.query<{ id: number; name: string; latitude: number; longitude: number; owner_type: string | null; static_changed_at: number }>(
    'SELECT id, name, latitude, longitude, owner_type, static_changed_at FROM stations WHERE id = ANY($1::bigint[])', [ids],
  );
  for (const s of stations) {
    byId.set(s.id, { id: s.id, name: s.name, latitude: s.latitude, longitude: s.longitude, ownerType: s.owner_type, staticChangedAt: s.static_changed_at, connectors: [] });
  }
  const connectors = await db.query<{ station_id: number; id: number; status: ConnectorStatusValue }>(
    'SELECT station_id, id, status FROM connectors WHERE station_id = ANY($1::bigint[]) ORDER BY station_id, position', [ids],
  );
  for (const c of connectors) byId.get(c.station_id)?.connectors.push({ id: c.id, status: c.status });
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}
