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

/** Signals made since the last microtask, per key: the partners named, or undefined for every queue. */
const queued = new WeakMap<object, { partners: Set<number> | undefined }>();

/**
 * Signals `key` on a later microtask: callers insert inside a write transaction, and the batch's
 * COMMIT runs synchronously before any microtask, so listeners see committed rows. `partners`:
 * whose queues got the rows, when the caller knows (the worker then need not look at the others).
 * The signals made before that microtask reach each listener as one call naming all their
 * partners: a batch of CDRs wakes the worker once, and so does a batch run twice
 * (SqliteDatabase.flush).
 * Example: `signalOutbox(db, [emp.id])`.
 */
export function signalOutbox(key: object, partners?: readonly number[]): void {
  const set = listeners.get(key);
  if (!set || set.size === 0) return;
  const pending = queued.get(key);
  if (pending) {
    if (partners === undefined) pending.partners = undefined;
    else for (const p of partners) pending.partners?.add(p);
    return;
  }
  const mine = { partners: partners === undefined ? undefined : new Set(partners) };
  queued.set(key, mine);
  queueMicrotask(() => {
    queued.delete(key);
    const named = mine.partners && [...mine.partners];
    for (const fn of set) fn(named);
  });
}
