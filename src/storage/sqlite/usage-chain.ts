/**
 * station-get-usage's history on SQLite, kept off the status path's random pages (issue 7,
 * migration 930). Each `station_usage` row points to the previous use that the same connector
 * carried (`prev`), and the connector holds its newest in `usage_head`, written in the same UPDATE
 * that sets its status: a use writes no page the post did not write anyway (the table's last page
 * aside, shared by every use of a batch), and finding the previous one costs nothing, as the post
 * has read the connector's row already. Before, the index on (station_id, at) put every use on a
 * random leaf of an index that grows forever.
 *
 * A station's uses are the chains that start at its connectors' heads and at its entries in
 * `station_usage_heads`, which keeps the chains of deleted connectors (a trigger) and the one a
 * rebuild makes per station. A chain runs newest first; a walk stops after the first row older
 * than the window it counts, so it reads the window's rows and one more per chain.
 */

/** The columns the chain adds, which a copy leaves out and `USAGE_CHAIN_REBUILD_SQL` makes again. */
export const USAGE_CHAIN_COLUMNS: Readonly<Record<string, readonly string[]>> = { connectors: ['usage_head'], station_usage: ['prev'] };

/**
 * Makes every chain and head from `station_usage`'s station ids and times alone: for migration 930
 * and at the end of a copy into SQLite, where rows arrive without them. The rows are written again
 * into a new table in station and time order (ties by row id), so that each one's predecessor is
 * the row written just before it: one pass of appends, 2.7 s for a million rows and 9.2 s for five
 * million on the bench machine, where updating each row in place, a random page per row, took 3.6
 * and 38 s.
 * Example: `db.exec(USAGE_CHAIN_REBUILD_SQL)` inside the copy's transaction.
 */
export const USAGE_CHAIN_REBUILD_SQL = `
UPDATE connectors SET usage_head = NULL WHERE usage_head IS NOT NULL;
DELETE FROM station_usage_heads;
CREATE TABLE station_usage_chained (station_id INTEGER NOT NULL, at INTEGER NOT NULL, prev INTEGER);
INSERT INTO station_usage_chained (rowid, station_id, at, prev)
  SELECT k, station_id, at, CASE WHEN before = station_id THEN k - 1 END FROM (
    SELECT row_number() OVER w AS k, lag(station_id) OVER w AS before, station_id, at FROM station_usage
    WINDOW w AS (ORDER BY station_id, at, rowid));
DROP TABLE station_usage;
ALTER TABLE station_usage_chained RENAME TO station_usage;
INSERT INTO station_usage_heads (station_id, head) SELECT station_id, max(rowid) FROM station_usage GROUP BY station_id;
`;

/**
 * A station's use counts since two times and its newest use, walking each of its chains from its
 * head (`@station`, and the bounds `@d7` and `@d30`).
 */
export const USAGE_COUNTS_SQL = `WITH RECURSIVE walk(at, prev) AS (
  SELECT u.at, u.prev FROM (
    SELECT usage_head AS head FROM connectors WHERE station_id = @station AND usage_head IS NOT NULL
    UNION ALL SELECT head FROM station_usage_heads WHERE station_id = @station
  ) h JOIN station_usage u ON u.rowid = h.head
  UNION ALL
  SELECT u.at, u.prev FROM walk w JOIN station_usage u ON u.rowid = w.prev WHERE w.at >= @d30
) SELECT coalesce(sum(at >= @d7), 0) AS d7, coalesce(sum(at >= @d30), 0) AS d30, max(at) AS last FROM walk`;
