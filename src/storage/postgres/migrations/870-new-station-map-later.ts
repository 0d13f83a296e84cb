/**
 * Mirrors sqlite/migrations/870: a new station reaches the dashboard's map aggregates in the
 * background, not in its station-post's transaction. 700's `oioi_map_station_posted` added every
 * new station to `map_cells` at three levels there: three upserts of rows that every station of a
 * region shares, so concurrent posts (a CPO's full load, from one hub or several) queued on those
 * rows' locks until each one's COMMIT, and the database's CPU went to them.
 *
 * When station-post asks for it (`SET LOCAL oioi.map_later = 'on'` in its transaction, like SQLite's
 * `station_post_hold`), a new station's map row is written as not yet live (700's
 * `oioi_map_stations_changed` adds nothing to any cell for it) and the station is marked in
 * `map_dirty` (820), in the post's transaction, so a crash loses nothing. Other writers (the CLI,
 * a copy, the bench's bulk load) keep 700's behaviour: a copy brings `map_cells` as the source
 * has them, and a station added to them later once more would count twice. Draining the mark (postgres/dashboard.ts `refreshMap`: the
 * hub's map refresher, or any read of summaries or cells first) sets the row live with its summary,
 * and the cells move then. The claim protocol of 820 holds unchanged: the mark is a row the
 * post's transaction inserts, which a claim cannot see before that transaction commits.
 * Updates and deletes of stations (rare) keep 700's behaviour, the map updated at once.
 */
export const sql = `
CREATE OR REPLACE FUNCTION oioi_map_station_posted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
`;
