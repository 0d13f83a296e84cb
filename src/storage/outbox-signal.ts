/**
 * In-process wake-ups for the outbox worker: whoever inserts outbox rows signals the connection it
 * used, and the worker listening on that connection looks for due entries at once instead of at
 * its next poll. A signal is only a hint; the poll still finds everything (other processes, lost
 * signals).
 */
const listeners = new WeakMap<object, Set<() => void>>();

/** Calls `fn` whenever `key` (a database connection) is signalled. Returns the unsubscribe function. Example: `const off = onOutboxSignal(db, wake)`. */
export function onOutboxSignal(key: object, fn: () => void): () => void {
  let set = listeners.get(key);
  if (!set) listeners.set(key, (set = new Set()));
  set.add(fn);
  return () => set!.delete(fn);
}

/**
 * Signals `key` on a later microtask: callers insert inside a write transaction, and the batch's
 * COMMIT runs synchronously before any microtask, so listeners see committed rows.
 * Example: `signalOutbox(db)`.
 */
export function signalOutbox(key: object): void {
  const set = listeners.get(key);
  if (!set || set.size === 0) return;
  queueMicrotask(() => {
    for (const fn of set) fn();
  });
}
