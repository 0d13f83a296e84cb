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
 * So every few seconds the hub analyzes each of its tables whose changes since the last analysis
 * reach the rows it held then, plus 50: a new table early, and again each time it doubles. Past
 * the first minutes autovacuum's own threshold (10% of the rows) comes first and this stays idle.
 */
import pg from 'pg';
import type { PgDatabase } from './database.js';

/** Changes a table takes, beyond its size at the last analysis, before it is analyzed again. */
export const ANALYZE_MIN_CHANGES = 50;

/**
 * Tables of the current schema this role may analyze (it owns them, or is a member of their
 * owner) whose changes since the last analysis reach `ANALYZE_MIN_CHANGES` plus the rows counted
 * then (`reltuples`, -1 before any analysis).
 */
const DUE_SQL = `SELECT s.relname AS name FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
  WHERE s.schemaname = current_schema() AND pg_has_role(c.relowner, 'USAGE')
    AND s.n_mod_since_analyze >= ${ANALYZE_MIN_CHANGES} + greatest(c.reltuples, 0)
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
    await db.query(`ANALYZE ${due.map((name) => pg.escapeIdentifier(name)).join(', ')}`);
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
