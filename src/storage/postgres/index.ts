/**
 * PostgreSQL storage: every repository on one connection pool, for one or several hub processes
 * on the same database. Repositories of later slices add one line each below.
 */
import type { Storage } from '../types.js';
import { openPool, PgDatabase } from './database.js';
import { runPgMigrations } from './migrate.js';
import { PgPartners } from './partners.js';
import { PgPoi } from './poi.js';
import { PgTariffs } from './tariffs.js';
import { PgOutbox } from './outbox.js';
import { PgSessions } from './sessions.js';
import { PgCdrs } from './cdrs.js';
import { PgAuthorization } from './authorization.js';
import { PgOperators } from './operators.js';
import { PgDashboard } from './dashboard.js';
import { keepStatistics, type StatisticsOptions } from './statistics.js';

/** Options of `openPostgresStorage`. */
export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Skip migrations (tools that only read). */
  migrate?: boolean;
  /** Analyze tables as they grow (a hub; see statistics.ts). Off by default: one-shot commands do not. */
  keepStatistics?: StatisticsOptions;
}

/** Opens (and migrates) a PostgreSQL-backed Storage. Example: `await openPostgresStorage('postgres://oioi:secret@db:5432/oioi')`. */
export async function openPostgresStorage(url: string, options: PostgresOptions = {}): Promise<Storage & { pg: PgDatabase }> {
  const pool = await openPool(url, { max: options.poolSize ?? 10 });
  const db = new PgDatabase(pool);
  try {
    if (options.migrate !== false) await runPgMigrations(pool);
  } catch (error) {
    await db.close();
    throw error;
  }
  const outbox = new PgOutbox(db);
  const statistics = options.keepStatistics ? keepStatistics(db, options.keepStatistics) : undefined;
  const poi = new PgPoi(db);
  return {
    engine: 'postgres',
    pg: db,
    partners: new PgPartners(db),
    poi,
    tariffs: new PgTariffs(db),
    outbox,
    sessions: new PgSessions(db),
    cdrs: new PgCdrs(db),
    authorization: new PgAuthorization(db),
    operators: new PgOperators(db),
    dashboard: new PgDashboard(db),
    // Bumped by triggers on every committed partner or key change, by any process (migration 100).
    changeToken: async () => String((await db.query<{ counter: number }>('SELECT counter FROM oioi_changes WHERE id = 1'))[0]?.counter ?? 0),
    close: async () => {
      await statistics?.stop();
      await outbox.stop();
      poi.live.stop();
      await db.close();
    },
  };
}
