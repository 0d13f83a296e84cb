/**
 * `oioi migrate` into PostgreSQL rebuilds the dashboard's map summaries once, from the copied rows,
 * instead of keeping them row by row (postgres/dump.ts, `finish`).
 *
 * The copy is one transaction. With 700's triggers on, every copied station and connector upserted
 * the `map_cells` rows of its region at three levels, and a row updated again and again inside one
 * transaction leaves a version each time that nothing can prune before the COMMIT: every later
 * update walks past all of them. The cost per row grew with the rows copied (0.33 ms a station at
 * 20,000, 0.45 at 60,000), and a million stations did not finish in 14 minutes.
 *
 * A copy now says so with `SET LOCAL oioi.copying = 'on'`, and the map's triggers then do nothing
 * in its transaction; any other writer, and the hub itself, keeps them as before. The setting
 * lives only as long as the copy's transaction, so a failed copy leaves nothing switched off.
 * Once the rows are in, `oioi_map_rebuild()` computes the summaries and cells from scratch with
 * two grouped statements, by 700's rules, as its own first fill did. Nothing is left marked: the
 * rebuilt map is current, whatever the source had still waiting in its `map_dirty`.
 *
 * The same migration counts each station's connectors in the map (sqlite/migrations/920 is its
 * SQLite side). The dashboard's totals count connectors from the map's cells, as they count
 * stations. Before, `totals()` joined every connector to its station's map row: about 700 ms of the
 * database's CPU for two million connectors, every time the statistics page refreshed.
 *
 * `map_stations.connectors` is kept wherever the summary is: by the connector trigger (which, unlike
 * SQLite's, also runs for a new station posted with `oioi.map_later`, so the drain of its mark has
 * nothing to count), by a station posted without `oioi.map_later`, and by `oioi_map_rebuild()`.
 * Each cell's `k` sums it over the cell's live stations, moved by `oioi_map_stations_changed` with
 * the rest of the cell.
 */
const copying = `IF current_setting('oioi.copying', true) = 'on' THEN RETURN NULL; END IF;`;

/** A station's summary (oioi_station_summary's rule) and connector count, over its connectors `c` (none: one outer-joined row). */
const SUMMARY_AND_COUNT = `CASE
      WHEN count(*) FILTER (WHERE c.status = 'Available') > 0 THEN 'Available'
      WHEN count(*) FILTER (WHERE c.status IN ('Occupied', 'Reserved')) > 0 THEN 'Occupied'
      WHEN count(c.station_id) > 0 AND count(*) FILTER (WHERE c.status <> 'Offline') = 0 THEN 'Offline'
      ELSE 'Unknown' END AS summary, count(c.station_id) AS connectors`;

const cellOf = (level: string) => `floor((lon + 180) / (360.0 / (2 ^ (${level} + 2))))::INTEGER`;
const cellOfLat = (level: string) => `floor((lat + 90) / (360.0 / (2 ^ (${level} + 2))))::INTEGER`;

export const sql = `
ALTER TABLE map_stations ADD COLUMN connectors BIGINT NOT NULL DEFAULT 0;
ALTER TABLE map_cells ADD COLUMN k BIGINT NOT NULL DEFAULT 0;

-- 700's map_stations_updated does not look at the new column yet: these updates move no cell.
UPDATE map_stations m SET connectors = x.n FROM (SELECT station_id, count(*) AS n FROM connectors GROUP BY station_id) x WHERE m.station_id = x.station_id;
UPDATE map_cells c SET k = x.k
  FROM (SELECT l.level, ${cellOf('l.level')} AS cx, ${cellOfLat('l.level')} AS cy, sum(connectors) AS k
        FROM map_stations CROSS JOIN (VALUES (6), (10), (13)) AS l(level) WHERE live = 1 GROUP BY 1, 2, 3) x
  WHERE c.level = x.level AND c.cx = x.cx AND c.cy = x.cy;

DROP FUNCTION oioi_map_cell(DOUBLE PRECISION, DOUBLE PRECISION, TEXT, INTEGER);
-- Adds (p_sign 1) or removes (-1) one station's share of its cell at the three levels.
CREATE FUNCTION oioi_map_cell(p_lat DOUBLE PRECISION, p_lon DOUBLE PRECISION, p_summary TEXT, p_connectors BIGINT, p_sign INTEGER) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  l INTEGER;
  size DOUBLE PRECISION;
BEGIN
  FOREACH l IN ARRAY ARRAY[6, 10, 13] LOOP
    size := 360.0 / (2 ^ (l + 2));
    INSERT INTO map_cells AS c (level, cx, cy, n, slat, slon, available, occupied, reserved, offline, unknown, k)
    VALUES (l, floor((p_lon + 180) / size)::INTEGER, floor((p_lat + 90) / size)::INTEGER, p_sign, p_sign * p_lat, p_sign * p_lon,
      p_sign * (p_summary = 'Available')::INTEGER, p_sign * (p_summary = 'Occupied')::INTEGER, p_sign * (p_summary = 'Reserved')::INTEGER,
      p_sign * (p_summary = 'Offline')::INTEGER, p_sign * (p_summary = 'Unknown')::INTEGER, p_sign * p_connectors)
    ON CONFLICT (level, cx, cy) DO UPDATE SET n = c.n + excluded.n, slat = c.slat + excluded.slat, slon = c.slon + excluded.slon,
      available = c.available + excluded.available, occupied = c.occupied + excluded.occupied, reserved = c.reserved + excluded.reserved,
      offline = c.offline + excluded.offline, unknown = c.unknown + excluded.unknown, k = c.k + excluded.k;
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION oioi_map_stations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${copying}
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.live = 1 THEN PERFORM oioi_map_cell(OLD.lat, OLD.lon, OLD.summary, OLD.connectors, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.live = 1 THEN PERFORM oioi_map_cell(NEW.lat, NEW.lon, NEW.summary, NEW.connectors, 1); END IF;
  RETURN NULL;
END $$;
DROP TRIGGER map_stations_updated ON map_stations;
CREATE TRIGGER map_stations_updated AFTER UPDATE ON map_stations FOR EACH ROW
  WHEN (OLD.live IS DISTINCT FROM NEW.live OR OLD.summary IS DISTINCT FROM NEW.summary OR OLD.lat IS DISTINCT FROM NEW.lat OR OLD.lon IS DISTINCT FROM NEW.lon
    OR OLD.connectors IS DISTINCT FROM NEW.connectors)
  EXECUTE FUNCTION oioi_map_stations_changed();

CREATE OR REPLACE FUNCTION oioi_map_station_posted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${copying}
  IF TG_OP = 'DELETE' THEN
    DELETE FROM map_stations WHERE station_id = OLD.id;
  ELSIF TG_OP = 'INSERT' AND current_setting('oioi.map_later', true) IS DISTINCT FROM 'on' THEN
    INSERT INTO map_stations (station_id, lat, lon, live, summary, connectors)
      SELECT NEW.id, NEW.latitude, NEW.longitude, (NEW.deleted = 0)::INTEGER, x.summary, x.connectors
      FROM (SELECT ${SUMMARY_AND_COUNT} FROM (SELECT NEW.id AS id) s LEFT JOIN connectors c ON c.station_id = s.id) x
      ON CONFLICT (station_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, live = excluded.live, summary = excluded.summary, connectors = excluded.connectors;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO map_stations (station_id, lat, lon, live, summary) VALUES (NEW.id, NEW.latitude, NEW.longitude, 0, 'Unknown')
      ON CONFLICT (station_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, live = excluded.live, summary = excluded.summary;
    INSERT INTO map_dirty AS d (station_id) VALUES (NEW.id)
      ON CONFLICT (station_id) DO UPDATE SET station_id = excluded.station_id WHERE false;
  ELSE
    UPDATE map_stations SET lat = NEW.latitude, lon = NEW.longitude, live = (NEW.deleted = 0)::INTEGER WHERE station_id = NEW.id;
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION oioi_map_connector_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sid BIGINT := CASE WHEN TG_OP = 'DELETE' THEN OLD.station_id ELSE NEW.station_id END;
BEGIN
  ${copying}
  UPDATE map_stations m SET summary = x.summary, connectors = x.connectors
    FROM (SELECT ${SUMMARY_AND_COUNT} FROM (SELECT sid AS id) s LEFT JOIN connectors c ON c.station_id = s.id) x
    WHERE m.station_id = sid;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION oioi_map_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${copying}
  INSERT INTO map_dirty AS d (station_id) VALUES (NEW.station_id)
    ON CONFLICT (station_id) DO UPDATE SET station_id = excluded.station_id WHERE false;
  RETURN NULL;
END $$;

-- A station's summary by oioi_station_summary's rule and its connector count, for every station at once.
CREATE FUNCTION oioi_map_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('oioi.copying', true) IS DISTINCT FROM 'on' THEN
    RAISE EXCEPTION 'oioi_map_rebuild() runs inside a copy (SET LOCAL oioi.copying = ''on''), where the map triggers are off';
  END IF;
  DELETE FROM map_dirty;
  DELETE FROM map_cells;
  DELETE FROM map_stations;
  INSERT INTO map_stations (station_id, lat, lon, live, summary, connectors)
    SELECT s.id, s.latitude, s.longitude, (s.deleted = 0)::INTEGER, ${SUMMARY_AND_COUNT}
    FROM stations s LEFT JOIN connectors c ON c.station_id = s.id GROUP BY s.id;
  INSERT INTO map_cells (level, cx, cy, n, slat, slon, available, occupied, reserved, offline, unknown, k)
    SELECT l.level, ${cellOf('l.level')} AS x, ${cellOfLat('l.level')} AS y,
      count(*), sum(lat), sum(lon), count(*) FILTER (WHERE summary = 'Available'), count(*) FILTER (WHERE summary = 'Occupied'),
      count(*) FILTER (WHERE summary = 'Reserved'), count(*) FILTER (WHERE summary = 'Offline'), count(*) FILTER (WHERE summary = 'Unknown'), sum(connectors)
    FROM map_stations CROSS JOIN (VALUES (6), (10), (13)) AS l(level) WHERE live = 1 GROUP BY l.level, x, y;
END $$;
`;
