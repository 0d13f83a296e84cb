/**
 * Mirrors sqlite/migrations/820: a connector status change no longer recomputes its station's map
 * summary (and three `map_cells` rows) in the status transaction; it marks the station in
 * `map_dirty`, which the dashboard repository drains (postgres/dashboard.ts `refreshMap`).
 *
 * The mark takes a row lock even when the station is already marked (`DO UPDATE … WHERE false`
 * locks the conflicting row without writing a new version). `refreshMap` relies on it: a claimer
 * skips (SKIP LOCKED) or waits for a mark whose status transaction is still open, so it never
 * deletes a mark whose change its own snapshot cannot see yet. See the race in postgres/dashboard.ts.
 */
export const sql = `
DROP TRIGGER map_connector_status ON connectors;
CREATE TABLE map_dirty (station_id BIGINT PRIMARY KEY);

CREATE FUNCTION oioi_map_mark_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO map_dirty AS d (station_id) VALUES (NEW.station_id)
    ON CONFLICT (station_id) DO UPDATE SET station_id = excluded.station_id WHERE false;
  RETURN NULL;
END $$;
CREATE TRIGGER map_connector_status_dirty AFTER UPDATE OF status ON connectors FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION oioi_map_mark_dirty();
`;
