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
 * Each page is one round trip (2026-12-07): `oioi_surface` (migration 900) fetches that many
 * candidates, ranks them, and returns the chosen stations with their connectors and reservations as
 * one JSON value, with what this side needs to tell whether the page settled the answer. The first
 * page did not in about one box of a hundred in the benchmark; those ask again with a larger page,
 * and the last answer, from one snapshot, is the one returned. Before: a transaction per page, then the
 * stations, connectors and reservations each a statement of its own, six or seven round trips,
 * planned on every call. In-process with reservations, alternated pairs: on 23k stations (3,000
 * city boxes) mean 1.58-1.80 -> 1.36-1.41 ms a query, on a million (2,000 boxes in dense clusters,
 * most with more than 100 stations) 5.3-5.5 -> 4.9-5.2 ms; the hub's CPU a third of what it was
 * (bench/README.md, PostgreSQL).
 */
import type { ConnectorReservation, ConnectorStatusValue, SurfaceQuery, SurfaceStationRecord } from '../../poi.js';
import type { NamedStatement, PgDatabase } from '../database.js';
import { safeIds } from './reads.js';

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

/** The position of the page size among SURFACE's parameters. */
const PAGE = 9;

type Found = { stations: SurfaceStationRecord[]; hasMore: boolean; reservations?: ConnectorReservation[] };

/**
 * Runs a surface query, with the answer's active reservations at `reservationsAt` when given.
 * Example: `await surface(db, { minLat: 52, maxLat: 53, minLon: 13, maxLon: 14, askerPartnerId: 2, limit: 500 })`.
 */
export async function surface(db: PgDatabase, q: SurfaceQuery, reservationsAt?: number): Promise<Found> {
  const cLat = (q.minLat + q.maxLat) / 2;
  const cLon = (q.minLon + q.maxLon) / 2;
  const k = Math.max(Math.cos((cLat * Math.PI) / 180), 1e-6);
  const excludes = safeIds(q.excludes ?? []);
  const types = !!q.connectorTypes?.length;
  const params: unknown[] = [
    q.minLat, q.maxLat, q.minLon, q.maxLon, cLat, cLon, k, q.askerPartnerId, q.limit, 0,
    excludes.length ? excludes : null,
    q.operatorIds?.length ? safeIds(q.operatorIds) : null,
    q.companyTypes?.length ? q.companyTypes : null,
    types || q.speedAtLeast !== undefined || q.speedAtMost !== undefined,
    types ? q.connectorTypes : null,
    q.speedAtLeast ?? null,
    q.speedAtMost ?? null,
    reservationsAt ?? null,
  ];
  for (let page = (q.limit + 1) * 2; ; page *= 4) {
    params[PAGE] = page;
    const [row] = await db.query<{ answer: FunctionAnswer }>(SURFACE, params);
    const a = row!.answer;
    if (a.n === page && !settles(k, a.lastRaw!, a.dNeed!)) continue;
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
}

/**
 * Whether a full page settles the answer: its farthest station by plain distance (`lastRaw`), scaled
 * by k, lies beyond the (limit+1)-th best scaled distance, so no station after the page can enter.
 */
function settles(k: number, lastRaw: number, dNeed: number): boolean {
  return k * lastRaw > dNeed * (1 + 1e-9) + 1e-12;
}
