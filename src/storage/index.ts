/** The storage layer's public face: open a Storage from a URL. */
import type { Storage } from './types.js';

export type { Storage } from './types.js';
export * from './partners.js';

/** The embedded default (shared/cli.md). */
export const DEFAULT_DB_URL = 'sqlite:./data/oioi.db';

/** Options of `openStorage`. */
export interface OpenStorageOptions {
  /**
   * A long-running server (the hub): SQLite checkpoints its WAL on a worker thread; PostgreSQL
   * keeps its growing tables analyzed (`postgres/statistics.ts`).
   */
  server?: boolean;
  /** Where a server's storage says what it did in the background (each ANALYZE on PostgreSQL). */
  log?: (obj: object) => void;
}

/**
 * Opens the storage a URL names: `sqlite:<path>` or `postgres://user:pass@host:port/db`.
 * Example: `const storage = await openStorage('sqlite:./data/oioi.db')`.
 */
export async function openStorage(url: string = DEFAULT_DB_URL, { server = false, log }: OpenStorageOptions = {}): Promise<Storage> {
  if (url.startsWith('sqlite:') || url === ':memory:' || (!url.includes('://') && !url.startsWith('postgres'))) {
    const { openSqliteStorage } = await import('./sqlite/index.js');
    return openSqliteStorage(url.startsWith('sqlite:') ? url : `sqlite:${url}`, { checkpointInWorker: server });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgresStorage } = await import('./postgres/index.js');
    return openPostgresStorage(url, server ? { keepStatistics: { onAnalyze: (tables) => log?.({ msg: 'tables analyzed', tables }) } } : {});
  }
  throw new Error(`unknown storage URL '${url}': use sqlite:<path> or postgres://user:pass@host:port/db`);
}
