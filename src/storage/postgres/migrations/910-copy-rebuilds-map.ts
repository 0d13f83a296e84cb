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
 */
const copying = `IF current_setting('oioi.copying', true) = 'on' THEN RETURN NULL; END IF;`;

export const sql = `
CREATE OR REPLACE FUNCTION oioi_map_stations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${copying}
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.live = 1 THEN PERFORM oioi_map_cell(OLD.lat, OLD.lon, OLD.summary, -1); END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.live = 1 THEN PERFORM oioi_map_cell(NEW.lat, NEW.lon, NEW.summary, 1); END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION oioi_map_station_posted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${copying}
  IF TG_OP = 'DELETE' THEN
    DELETE FROM map_stations WHERE station_id = OLD.id;
  ELSIF TG_OP = 'INSERT' AND current_setting('oioi.map_later', true) IS DISTINCT FROM 'on' THEN
    INSERT INTO map_stations (station_id, lat, lon, live, summary) VALUES (NEW.id, NEW.latitude, NEW.longitude, (NEW.deleted = 0)::INTEGER, oioi_station_summary(NEW.id))
      ON CONFLICT (station_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, live = excluded.live, summary = excluded.summary;
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
  UPDATE map_stations SET summary = oioi_station_summary(sid) WHERE station_id = sid;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION oioi_map_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${copying}
  INSERT INTO map_dirty AS d (station_id) VALUES (NEW.station_id)
    ON CONFLICT (station_id) DO UPDATE SET station_id = excluded.station_id WHERE false;
  RETURN NULL;
END $$;

-- A station's summary by oioi_station_summary's rule, for every station at once: count(c.station_id)
-- counts its connectors (0 for a station without any, where the outer join still gives one row).
CREATE FUNCTION oioi_map_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('oioi.copying', true) IS DISTINCT FROM 'on' THEN
    RAISE EXCEPTION 'oioi_map_rebuild() runs inside a copy (SET LOCAL oioi.copying = ''on''), where the map triggers are off';
  END IF;
  DELETE FROM map_dirty;
  DELETE FROM map_cells;
  DELETE FROM map_stations;
  INSERT INTO map_stations (station_id, lat, lon, live, summary)
    SELECT s.id, s.latitude, s.longitude, (s.deleted = 0)::INTEGER, CASE
      WHEN count(*) FILTER (WHERE c.status = 'Available') > 0 THEN 'Available'
      WHEN count(*) FILTER (WHERE c.status IN ('Occupied', 'Reserved')) > 0 THEN 'Occupied'
      WHEN count(c.station_id) > 0 AND count(*) FILTER (WHERE c.status <> 'Offline') = 0 THEN 'Offline'
      ELSE 'Unknown' END
    FROM stations s LEFT JOIN connectors c ON c.station_id = s.id GROUP BY s.id;
  INSERT INTO map_cells
    SELECT l.level, floor((lon + 180) / (360.0 / (2 ^ (l.level + 2))))::INTEGER AS x, floor((lat + 90) / (360.0 / (2 ^ (l.level + 2))))::INTEGER AS y,
      count(*), sum(lat), sum(lon), count(*) FILTER (WHERE summary = 'Available'), count(*) FILTER (WHERE summary = 'Occupied'),
      count(*) FILTER (WHERE summary = 'Reserved'), count(*) FILTER (WHERE summary = 'Offline'), count(*) FILTER (WHERE summary = 'Unknown')
    FROM map_stations CROSS JOIN (VALUES (6), (10), (13)) AS l(level) WHERE live = 1 GROUP BY l.level, x, y;
END $$;
`;
