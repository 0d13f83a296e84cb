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
 *
 * The common case is one round trip (2026-12-07): `oioi_surface` (migration 900) fetches the first
 * page of candidates, ranks them, and returns the chosen stations with their connectors and
 * reservations as one JSON value, with what this side needs to tell whether that page settled the
 * answer. It did not in about one box of a hundred in the benchmark; those go on page by page in one
 * transaction, the planner settings sent with its BEGIN. Before: a transaction per page, then the
 * stations, connectors and reservations each a statement of its own, six or seven round trips,
 * planned on every call. In-process with reservations, alternated pairs: on 23k stations (3,000
 * city boxes) mean 1.58-1.80 -> 1.36-1.41 ms a query, on a million (2,000 boxes in dense clusters,
 * most with more than 100 stations) 5.3-5.5 -> 4.9-5.2 ms; the hub's CPU a third of what it was
 * (bench/README.md, PostgreSQL).
 */
import { connectorIdsOf, type ConnectorReservation, type ConnectorStatusValue, type SurfaceQuery, type SurfaceStationRecord } from '../../poi.js';
import type { Client, NamedStatement, PgDatabase } from '../database.js';
import { activeReservations, safeIds } from './reads.js';

/** Sent with the BEGIN: only index scans, so the GiST index's nearest-first scan is the plan (above). */
const INDEX_SCANS_ONLY = 'SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off';

/** The chosen stations with their connectors (in position order) as JSON. */
const LOAD: NamedStatement = {
  name: 'oioi_surface_load',
  text: `SELECT s.id, s.name, s.latitude, s.longitude, s.owner_type, s.static_changed_at,
    coalesce((SELECT json_agg(json_build_array(c.id, c.status) ORDER BY c.position) FROM connectors c WHERE c.station_id = s.id), '[]') AS connectors
    FROM stations s WHERE s.id = ANY($1::bigint[])`,
};

/** The candidate query for `q`'s filters, with its parameters ($1–$8 are box, centre, asker, limit). */
function candidateQuery(q: SurfaceQuery, cLat: number, cLon: number): { sql: NamedStatement; params: unknown[] } {
  const params: unknown[] = [q.minLat, q.maxLat, q.minLon, q.maxLon, cLon, cLat, q.askerPartnerId, 0];
  const arg = (v: unknown) => `$${params.push(v)}`;
  // `<@` compares with a 1e-6 tolerance; the BETWEENs keep the box edges exact, as on SQLite.
  let where = `s.deleted = 0 AND s.location <@ box(point($3, $1), point($4, $2))
    AND s.latitude BETWEEN $1 AND $2 AND s.longitude BETWEEN $3 AND $4 AND (s.is_private = 0 OR s.partner_id = $7)`;
  // The text depends only on which filters are present: one bit each names the statement.
  let shape = 0;
  const excludes = safeIds(q.excludes ?? []);
  if (excludes.length) (shape |= 1), (where += ` AND NOT (s.id = ANY(${arg(excludes)}::bigint[]))`);
  if (q.operatorIds?.length) (shape |= 2), (where += ` AND s.partner_id = ANY(${arg(safeIds(q.operatorIds))}::bigint[])`);
  if (q.companyTypes?.length) (shape |= 4), (where += ` AND s.owner_type = ANY(${arg(q.companyTypes)}::text[])`);
  const types = !!q.connectorTypes?.length;
  if (types || q.speedAtLeast !== undefined || q.speedAtMost !== undefined) {
    // One connector must satisfy every connector filter at once: "a Type2 faster than 22 kW".
    where += ' AND EXISTS (SELECT 1 FROM connectors c WHERE c.station_id = s.id';
    if (types) (shape |= 8), (where += ` AND c.type = ANY(${arg(q.connectorTypes)}::text[])`);
    if (q.speedAtLeast !== undefined) (shape |= 16), (where += ` AND c.speed >= ${arg(q.speedAtLeast)}`);
    if (q.speedAtMost !== undefined) (shape |= 32), (where += ` AND c.speed <= ${arg(q.speedAtMost)}`);
    where += ')';
  }
  const text = `SELECT s.id, s.latitude, s.longitude FROM stations s WHERE ${where} ORDER BY s.location <-> point($5, $6) LIMIT $8`;
  return { sql: { name: `oioi_surface_${shape}`, text }, params };
}

/** One page's answer from `oioi_surface` (migration 900 describes it). */
interface FunctionAnswer {
  n: number;
  lastRaw: number | null;
  dNeed: number | null;
  stations: Array<[number, string, number, number, string | null, number, Array<[number, ConnectorStatusValue]>]>;
  reservations: Array<[number, number, string, number]> | null;
}

const SURFACE: NamedStatement = {
  name: 'oioi_surface',
  text: `SELECT oioi_surface($1::float8, $2::float8, $3::float8, $4::float8, $5::float8, $6::float8, $7::float8, $8::bigint, $9::integer,
    $10::integer, $11::bigint[], $12::bigint[], $13::text[], $14::boolean, $15::text[], $16::float8, $17::float8, $18::bigint) AS answer`,
};

type Found = { stations: SurfaceStationRecord[]; hasMore: boolean; reservations?: ConnectorReservation[] };

/**
 * Runs a surface query, with the answer's active reservations at `reservationsAt` when given.
 * Example: `await surface(db, { minLat: 52, maxLat: 53, minLon: 13, maxLon: 14, askerPartnerId: 2, limit: 500 })`.
 */
export async function surface(db: PgDatabase, q: SurfaceQuery, reservationsAt?: number): Promise<Found> {
  const cLat = (q.minLat + q.maxLat) / 2;
  const cLon = (q.minLon + q.maxLon) / 2;
  const k = Math.max(Math.cos((cLat * Math.PI) / 180), 1e-6);
  const page = (q.limit + 1) * 2;
  const excludes = safeIds(q.excludes ?? []);
  const types = !!q.connectorTypes?.length;
  const [row] = await db.query<{ answer: FunctionAnswer }>(SURFACE, [
    q.minLat, q.maxLat, q.minLon, q.maxLon, cLat, cLon, k, q.askerPartnerId, q.limit, page,
    excludes.length ? excludes : null,
    q.operatorIds?.length ? safeIds(q.operatorIds) : null,
    q.companyTypes?.length ? q.companyTypes : null,
    types || q.speedAtLeast !== undefined || q.speedAtMost !== undefined,
    types ? q.connectorTypes : null,
    q.speedAtLeast ?? null,
    q.speedAtMost ?? null,
    reservationsAt ?? null,
  ]);
  const a = row!.answer;
  if (!(a.n < page || settles(k, a.lastRaw!, a.dNeed!))) return paged(db, q, cLat, cLon, k, page * 4, reservationsAt);
  const found: Found = {
    stations: a.stations.map(([id, name, latitude, longitude, ownerType, staticChangedAt, connectors]) => ({
      id, name, latitude, longitude, ownerType, staticChangedAt, connectors: connectors.map(([cid, status]) => ({ id: cid, status })),
    })),
    hasMore: a.n > q.limit,
  };
  if (reservationsAt !== undefined) {
    found.reservations = (a.reservations ?? []).map(([connectorId, partnerId, evcoId, endsAt]) => ({ connectorId, partnerId, evcoId, endsAt }));
  }
  return found;
}

/**
 * Whether a full page settles the answer: its farthest station by plain distance (`lastRaw`), scaled
 * by k, lies beyond the (limit+1)-th best scaled distance, so no station after the page can enter.
 */
function settles(k: number, lastRaw: number, dNeed: number): boolean {
  return k * lastRaw > dNeed * (1 + 1e-9) + 1e-12;
}

/** The answer page by page from `firstPage` candidates on, in one transaction (see above). */
function paged(db: PgDatabase, q: SurfaceQuery, cLat: number, cLon: number, k: number, firstPage: number, reservationsAt?: number): Promise<Found> {
  const need = q.limit + 1;
  const { sql, params } = candidateQuery(q, cLat, cLon);
  return db.tx(async (c) => {
    for (let page = firstPage; ; page *= 4) {
      params[7] = page;
      const rows = await db.query<{ id: number; latitude: number; longitude: number }>(sql, params, c);
      const scored = rows.map((r) => {
        const dy = r.latitude - cLat;
        const dx = (r.longitude - cLon) * k;
        return { id: r.id, d: Math.sqrt(dx * dx + dy * dy) };
      });
      scored.sort((a, b) => a.d - b.d || a.id - b.id);
      if (rows.length === page) {
        const last = rows[rows.length - 1]!;
        if (!settles(k, Math.hypot(last.longitude - cLon, last.latitude - cLat), scored[need - 1]!.d)) continue;
      }
      const stations = await load(db, c, scored.slice(0, q.limit).map((s) => s.id));
      const found: Found = { stations, hasMore: scored.length > q.limit };
      if (reservationsAt === undefined) return found;
      // In the same snapshot as the stations: a reservation never names a connector the answer lacks.
      return { ...found, reservations: await activeReservations(db, connectorIdsOf(stations), reservationsAt, c) };
    }
  }, INDEX_SCANS_ONLY);
}

/** Name, position and connector statuses of the chosen stations, in the given order: one statement. */
async function load(db: PgDatabase, c: Client, ids: number[]): Promise<SurfaceStationRecord[]> {
  if (ids.length === 0) return [];
  const rows = await db.query<{ id: number; name: string; latitude: number; longitude: number; owner_type: string | null; static_changed_at: number; connectors: Array<[number, ConnectorStatusValue]> }>(LOAD, [ids], c);
  const byId = new Map<number, SurfaceStationRecord>();
  for (const s of rows) {
    byId.set(s.id, {
      id: s.id, name: s.name, latitude: s.latitude, longitude: s.longitude, ownerType: s.owner_type, staticChangedAt: s.static_changed_at,
      connectors: s.connectors.map(([id, status]) => ({ id, status })),
    });
  }
  return ids.map((id) => byId.get(id)!).filter(Boolean);
}
