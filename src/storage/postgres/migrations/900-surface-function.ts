/**
 * station-get-surface in one round trip (postgres/poi/surface.ts): the candidates nearest the box's
 * centre, ranked by the hub's equirectangular distance, the chosen stations with their connectors
 * and, when asked, their connectors' active reservations, as one JSON value. Before, a query took a
 * transaction of its own and six or seven round trips, each of which wakes the database's backend:
 * on a machine where the hub and the database share cores, those writes were a third of the hub's
 * CPU in a surface profile.
 *
 * PL/pgSQL rather than SQL because a session keeps PL/pgSQL's plans (a SQL function with a SET
 * clause is planned again on every call); the SET clause makes the GiST index's nearest-first scan
 * the plan, as the SET LOCALs of the transaction did (see surface.ts for why the planner needs it).
 * Absent filters are NULL (connector_filter false). `k` comes from the caller, so that the
 * distances are computed with the very same operations, and rounded alike, as on SQLite and in
 * JavaScript: the order of the answer, ties by id, is the same to the bit.
 *
 * The answer is `{"n", "lastRaw", "dNeed", "stations", "reservations"}`: the candidates fetched
 * (at most `page`), the plain distance of the farthest of them, the (lim+1)-th smallest scaled
 * distance; the caller decides from those whether the page settled the answer, and asks again
 * with a larger page when it did not (rare: a box whose nearest candidates lie along its long
 * axis). Stations are `[id, name, lat, lon, owner_type, static_changed_at, [[connector id,
 * status], …]]` in answer order; reservations `[connector_id, partner_id, evco_id, ends_at]`.
 */

/** What a candidate row carries: all of it is in the covering GiST index (migration 800). */
const columns = 's.id, s.latitude, s.longitude, s.location <-> point(c_lon, c_lat) AS raw';

/**
 * The filters every candidate passes. `owner_type` is not among them: it is not in the covering
 * index, and a plan that reads it fetches every candidate's row from the table (a session's cached
 * plan is generic, so it cannot drop a filter whose parameter is NULL). Its branch of the UNION runs
 * only when company types are asked for; the other one is an index-only scan.
 */
const common = `s.deleted = 0 AND s.location <@ box(point(min_lon, min_lat), point(max_lon, max_lat))
        AND s.latitude BETWEEN min_lat AND max_lat AND s.longitude BETWEEN min_lon AND max_lon
        AND (s.is_private = 0 OR s.partner_id = asker)
        AND (excludes IS NULL OR NOT (s.id = ANY(excludes)))
        AND (operators IS NULL OR s.partner_id = ANY(operators))
        AND (NOT connector_filter OR EXISTS (SELECT 1 FROM connectors c WHERE c.station_id = s.id
          AND (connector_types IS NULL OR c.type = ANY(connector_types))
          AND (speed_min IS NULL OR c.speed >= speed_min) AND (speed_max IS NULL OR c.speed <= speed_max)))`;

export const sql = `
CREATE FUNCTION oioi_surface(
  min_lat float8, max_lat float8, min_lon float8, max_lon float8, c_lat float8, c_lon float8, k float8,
  asker bigint, lim integer, page integer, excludes bigint[], operators bigint[], company_types text[],
  connector_filter boolean, connector_types text[], speed_min float8, speed_max float8, reservations_at bigint
) RETURNS json LANGUAGE plpgsql STABLE
SET enable_bitmapscan = off SET enable_seqscan = off
AS $$
BEGIN
  RETURN (
    WITH cand AS MATERIALIZED (
      (SELECT ${columns} FROM stations s WHERE company_types IS NULL AND ${common}
        ORDER BY s.location <-> point(c_lon, c_lat) LIMIT page)
      UNION ALL
      (SELECT ${columns} FROM stations s WHERE company_types IS NOT NULL AND s.owner_type = ANY(company_types) AND ${common}
        ORDER BY s.location <-> point(c_lon, c_lat) LIMIT page)
    ),
    ranked AS MATERIALIZED (
      SELECT id, row_number() OVER (ORDER BY d, id) AS rn, d FROM (
        SELECT id, sqrt(((longitude - c_lon) * k) * ((longitude - c_lon) * k) + (latitude - c_lat) * (latitude - c_lat)) AS d FROM cand
      ) scored
    ),
    chosen AS MATERIALIZED (SELECT id, rn FROM ranked WHERE rn <= lim),
    -- By an array of ids, one index scan each in key order (as the statements before this function
    -- did), not a look-up per station in answer order: with those look-ups a query took 6.2-6.6 ms
    -- on a million stations, against 4.2-4.8 for the statements before.
    st AS MATERIALIZED (SELECT s.id, s.name, s.latitude, s.longitude, s.owner_type, s.static_changed_at FROM stations s
      WHERE s.id = ANY(ARRAY(SELECT id FROM chosen))),
    cn AS MATERIALIZED (SELECT c.station_id, c.id, c.status, c.position FROM connectors c WHERE c.station_id = ANY(ARRAY(SELECT id FROM chosen))),
    cs AS MATERIALIZED (SELECT station_id, json_agg(json_build_array(id, status) ORDER BY position) AS list FROM cn GROUP BY station_id)
    SELECT json_build_object(
      'n', (SELECT count(*) FROM cand),
      'lastRaw', (SELECT max(raw) FROM cand),
      'dNeed', (SELECT d FROM ranked WHERE rn = lim + 1),
      'stations', coalesce((
        SELECT json_agg(json_build_array(s.id, s.name, s.latitude, s.longitude, s.owner_type, s.static_changed_at, coalesce(cs.list, '[]'::json))
          ORDER BY ch.rn)
        FROM chosen ch JOIN st s ON s.id = ch.id LEFT JOIN cs ON cs.station_id = ch.id), '[]'::json),
      'reservations', CASE WHEN reservations_at IS NULL THEN NULL ELSE coalesce((
        SELECT json_agg(json_build_array(r.connector_id, r.partner_id, r.evco_id, r.ends_at))
        FROM reservations r WHERE r.connector_id = ANY(ARRAY(SELECT id FROM cn))
          AND r.state = 'active' AND r.starts_at <= reservations_at AND r.ends_at > reservations_at), '[]'::json) END
    )
  );
END
$$;
`;
