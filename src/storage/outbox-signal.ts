/**
 * In-process wake-ups for the outbox worker: whoever inserts outbox rows signals the connection it
 * used, and the worker listening on that connection looks for due entries at once instead of at
 * its next poll. A signal is only a hint; the poll still finds everything (other processes, lost
 * signals).
 */
/**
 * Called with the partners whose queues got rows, or with undefined when that is not known (rows
 * of another process, a retry of many): then every queue may have changed.
 */
export type OutboxSignalListener = (partners: readonly number[] | undefined) => void;

const listeners = new WeakMap<object, Set<OutboxSignalListener>>();

/** Calls `fn` whenever `key` (a database connection) is signalled. Returns the unsubscribe function. Example: `const off = onOutboxSignal(db, wake)`. */
export function onOutboxSignal(key: object, fn: OutboxSignalListener): () => void {
  let set = listeners.get(key);
  if (!set) listeners.set(key, (set = new Set()));
  set.add(fn);
  return () => set!.delete(fn);
}

/**
 * Signals `key` on a later microtask: callers insert inside a write transaction, and the batch's
 * COMMIT runs synchronously before any microtask, so listeners see committed rows. `partners`:
 * whose queues got the rows, when the caller knows (the worker then need not look at the others).
 * Example: `signalOutbox(db, [emp.id])`.
 */
export function signalOutbox(key: object, partners?: readonly number[]): void {
  const set = listeners.get(key);
  if (!set || set.size === 0) return;
  queueMicrotask(() => {
    for (const fn of set) fn(partners);
  });
}
