/**
 * Connector status posts on PostgreSQL, batched: every setStatus of one event-loop turn becomes
 * one statement (unnest of the posts), and each caller still learns how many connectors its own
 * post matched. Posts naming the same EVSE twice in one batch go in successive statements so the
 * later one wins and sees the earlier one's status, as if run one after the other.
 */
import type { ConnectorStatusValue } from '../../poi.js';
import { inRounds } from '../batch.js';
import { queryConfig, type NamedStatement, type PgDatabase } from '../database.js';

export interface StatusPost { owner: string; key: string; status: ConnectorStatusValue; at: number }

/**
 * Per post: the live connectors it names, their status before, and an Occupied transition's usage
 * row (one per station and post, as on SQLite); then the update of the connectors whose status (or
 * its time) changes: one that already has it keeps its row version (no dead tuple, no WAL). A
 * data-modifying WITH runs whether or not the final SELECT reads it; the counts come from `m`.
 */
const STATUS_SQL: NamedStatement = { name: 'oioi_status_posts', text: `
  WITH u AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) WITH ORDINALITY AS u(owner, key, status, at, n)
  ), m AS (
    SELECT c.id, c.station_id, c.status AS old_status, u.status, u.at, u.n
    FROM u JOIN connectors c ON c.evse_key = u.key
    JOIN stations s ON s.id = c.station_id AND s.partner_identifier = u.owner AND s.deleted = 0
  ), used AS (
    INSERT INTO station_usage (station_id, at)
    SELECT DISTINCT station_id, at FROM m WHERE status = 'Occupied' AND old_status <> 'Occupied'
    RETURNING 1
  ), updated AS (
    UPDATE connectors c SET status = m.status,
      status_changed_at = CASE WHEN c.status <> m.status OR c.status_changed_at IS NULL THEN m.at ELSE c.status_changed_at END
    FROM m WHERE c.id = m.id AND (c.status IS DISTINCT FROM m.status OR c.status_changed_at IS NULL)
    RETURNING 1
  )
  SELECT n, count(*) AS matched FROM m GROUP BY n` };

/** Applies a batch of status posts; resolves with each post's matched-connector count. Example: `await applyStatusPosts(db, posts)`. */
export async function applyStatusPosts(db: PgDatabase, posts: StatusPost[]): Promise<number[]> {
  const counts = posts.map(() => 0);
  // Posts naming the same EVSE twice in successive statements: the later one wins.
  const plan = inRounds(posts.map((_, i) => i), (i) => [`${posts[i]!.owner}\u0000${posts[i]!.key}`]);
  const run = async (q: (sql: NamedStatement, params: unknown[]) => Promise<Array<{ n: number; matched: number }>>) => {
    for (const round of plan) {
      const batch = round.map((i) => posts[i]!);
      const rows = await q(STATUS_SQL, [batch.map((p) => p.owner), batch.map((p) => p.key), batch.map((p) => p.status), batch.map((p) => p.at)]);
      for (const r of rows) counts[round[r.n - 1]!] = r.matched;
    }
  };
  // Repeated EVSEs need several statements: one transaction keeps the batch all-or-nothing.
  if (plan.length === 1) await run((sql, params) => db.query(sql, params));
  else await db.tx((c) => run(async (sql, params) => (await c.query(queryConfig(sql, params))).rows));
  return counts;
}
