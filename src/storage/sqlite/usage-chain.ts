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
 * Makes every chain and head from `station_usage`'s rows alone, in time order (ties by row id):
 * for migration 930 and at the end of a copy into SQLite, where rows arrive without them.
 * Example: `db.exec(USAGE_CHAIN_REBUILD_SQL)` inside the copy's transaction.
 */
export const USAGE_CHAIN_REBUILD_SQL = `
UPDATE connectors SET usage_head = NULL WHERE usage_head IS NOT NULL;
DELETE FROM station_usage_heads;
WITH o AS (SELECT rowid AS r, lag(rowid) OVER (PARTITION BY station_id ORDER BY at, rowid) AS p FROM station_usage)
UPDATE station_usage SET prev = o.p FROM o WHERE station_usage.rowid = o.r AND station_usage.prev IS NOT o.p;
INSERT INTO station_usage_heads (station_id, head)
  SELECT station_id, r FROM (SELECT station_id, rowid AS r, row_number() OVER (PARTITION BY station_id ORDER BY at DESC, rowid DESC) AS k FROM station_usage) WHERE k = 1;
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
