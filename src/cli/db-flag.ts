/** The `--db` flag shared by every command that opens storage. */
import { DEFAULT_DB_URL, openStorage, type Storage } from '../storage/index.js';

export const dbFlag = { db: { type: 'string' as const, default: DEFAULT_DB_URL } };

/** Opens the storage of `--db`, runs `fn`, and always closes it. */
export async function withStorage<T>(url: string, fn: (storage: Storage) => Promise<T>): Promise<T> {
  const storage = await openStorage(url);
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}
