/** SQLite storage: every repository on one better-sqlite3 connection. */
import type { Storage } from '../types.js';
import { openSqlite, type SqliteOptions } from './database.js';
import { SqlitePartners } from './partners.js';
import { SqlitePoi } from './poi.js';
import { SqliteTariffs } from './tariffs.js';
import { SqliteOutbox } from './outbox.js';
import { SqliteSessions } from './sessions.js';
import { SqliteCdrs } from './cdrs.js';
import { SqliteAuthorization } from './authorization.js';
import { SqliteOperators } from './operators.js';
import { SqliteDashboard } from './dashboard.js';

/** Opens a SQLite-backed Storage. Example: `await openSqliteStorage('sqlite:./data/oioi.db')`. */
export async function openSqliteStorage(url: string, options: SqliteOptions = {}): Promise<Storage & { sqlite: import('./database.js').SqliteDatabase }> {
  const s = await openSqlite(url, options);
  return {
    engine: 'sqlite',
    sqlite: s,
    partners: new SqlitePartners(s),
    poi: new SqlitePoi(s),
    tariffs: new SqliteTariffs(s),
    outbox: new SqliteOutbox(s),
    sessions: new SqliteSessions(s),
    cdrs: new SqliteCdrs(s),
    authorization: new SqliteAuthorization(s),
    operators: new SqliteOperators(s),
    dashboard: new SqliteDashboard(s),
    changeToken: async () => String(s.dataVersion()),
    writeBusyMs: () => s.writeBusyMs(),
    close: () => s.close(),
  };
}
