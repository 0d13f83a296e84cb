/** SQLite storage: every repository on one better-sqlite3 connection. */
import type { Storage } from '../types.js';
import { openSqlite, type SqliteOptions } from './database.js';
import { SqlitePartners } from './partners.js';

/** Opens a SQLite-backed Storage. Example: `await openSqliteStorage('sqlite:./data/oioi.db')`. */
export async function openSqliteStorage(url: string, options: SqliteOptions = {}): Promise<Storage & { sqlite: import('./database.js').SqliteDatabase }> {
  const s = await openSqlite(url, options);
  return {
    engine: 'sqlite',
    sqlite: s,
    partners: new SqlitePartners(s),
    changeToken: async () => String(s.dataVersion()),
    close: () => s.close(),
  };
}
