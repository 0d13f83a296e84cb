/**
 * station-get-surface (issue 7), PostgreSQL's side of sqlite/migrations/800. SQLite gets a narrow
 * copy of the surface answer clustered by position; PostgreSQL keeps walking its GiST index
 * nearest-first (postgres/poi/surface.ts) and gets that index made covering instead: it also holds
 * every column the candidate query reads (id, exact coordinates, private flag, owner), so an
 * unfiltered box is an index-only scan that reads no heap page for the stations it passes over.
 * Kept current by PostgreSQL itself: no trigger, nothing extra on the status path.
 */
export const sql = `
CREATE INDEX stations_live_location_covering ON stations USING gist (location)
  INCLUDE (id, latitude, longitude, is_private, partner_id) WHERE deleted = 0;
DROP INDEX stations_live_location;
`;
