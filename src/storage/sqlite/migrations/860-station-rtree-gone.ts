/**
 * The R*Trees of migration 200 go (issue 7, scenario "station"). Every station-post wrote its
 * station into one (about 1.5 random WAL pages and 14-18 µs of CPU per new station), but since
 * station-get-surface reads `surface_stations` (800) or the hub's index in memory, only the
 * dashboard's zoomed-in map still asked them, and `surface_stations` answers a box as well: a few
 * key ranges of its (cell, id) key, each row holding the station's exact position
 * (sqlite/dashboard.ts). It holds every live station, public and private, as the two trees did.
 */
export const sql = `
DROP TABLE station_rtree;
DROP TABLE private_station_rtree;
`;
