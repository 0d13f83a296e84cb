/**
 * Planner statistics for tables that grow from nothing, kept by the hub itself.
 *
 * PostgreSQL plans a statement on a table it has never analyzed as if the table held a handful
 * of rows, and a named (prepared) statement keeps the generic plan it settles on for the life of
 * the connection, until an ANALYZE of one of its tables invalidates it. Autovacuum first analyzes a
 * table about a minute after its first 50 changes (and only then, at its next pass). A hub started
 * on an empty database spends that minute, and every prepared plan made in it, on plans for empty
 * tables: the CDR write's supersede walked every open outbox row of its EMP, 5,000 index entries a
 * CDR after a minute of load (bench/README.md, "cdr on PostgreSQL is bimodal").
 *
 * So every few seconds the hub analyzes each of its tables that holds at least twice the rows it
 * held at its last analysis, plus 50: a new table within seconds of its first rows, then each time
 * it doubles. It goes by live rows, not by changes: a queue that churns at a steady size (the map's
 * marks, statuses rewritten in place) keeps its plans, and autovacuum's own pass, which comes after
 * 10% of the rows changed, keeps their statistics as fresh as before.
 */
import pg from 'pg';
import type { PgDatabase } from './database.js';

/** The live rows of a table's first analysis, and those beyond twice its size at the last one that make it due again. */
export const ANALYZE_MIN_GROWTH = 50;

/**
 * Tables of the current schema (the hub's, and any other there) this role may analyze (it owns them, or is a member of their
 * owner) whose live rows reach twice those counted at the last analysis (`reltuples`, -1 before
 * any) plus `ANALYZE_MIN_GROWTH`, and that changed since.
 */
const DUE_SQL = `SELECT s.relname AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
  WHERE s.schemaname = current_schema() AND pg_has_role(c.relowner, 'USAGE')
    AND s.n_mod_since_analyze > 0 AND s.n_live_tup >= ${ANALYZE_MIN_GROWTH} + 2 * greatest(c.reltuples, 0)
  ORDER BY s.relname`;

/** Options of `keepStatistics`. */
export interface StatisticsOptions {
  /** Milliseconds between two looks at the tables' change counts (default 2,000). */
  everyMs?: number;
  /** Called with the tables of each ANALYZE, for the log and for tests. */
  onAnalyze?: (tables: string[]) => void;
}

/** A running statistics keeper: `stop()` ends it once a pass under way has finished. */
export interface StatisticsKeeper {
  stop(): Promise<void>;
}

/**
 * Analyzes the hub's growing tables every `everyMs` (see the file's comment); the first look comes
 * after one interval, so a short-lived command never pays for it. Errors are left for the next look
 * (the database may be away; the requests report that themselves).
 * Example: `const keeper = keepStatistics(db); …; await keeper.stop()`.
 */
export function keepStatistics(db: PgDatabase, { everyMs = 2000, onAnalyze }: StatisticsOptions = {}): StatisticsKeeper {
  let stopped = false;
  let pass: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const look = async () => {
    const due = (await db.query<{ name: string }>(DUE_SQL)).map((r) => r.name);
    if (due.length === 0 || stopped) return;
    // One statement for all: PostgreSQL analyzes them in turn, each in a transaction of its own.
    // SKIP_LOCKED: a table another hub or autovacuum is analyzing right now (or a migration holds)
    // is skipped, rather than waited for, or queued ahead of that migration's next lock.
    await db.query(`ANALYZE (SKIP_LOCKED) ${due.map((name) => pg.escapeIdentifier(name)).join(', ')}`);
    onAnalyze?.(due);
  };
  const schedule = () => {
    timer = setTimeout(() => {
      pass = look().catch(() => {}).finally(() => {
        if (!stopped) schedule();
      });
    }, everyMs);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
