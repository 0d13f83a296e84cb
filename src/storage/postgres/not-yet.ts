/**
 * A repository another slice has not implemented on PostgreSQL yet: every method call rejects with
 * a clear error instead of the hub failing to start. The slice replaces its line in index.ts with
 * its real `Pg…` class.
 */
import { OioiError } from '../../protocol/errors.js';

/** Example: `operators: notYetOnPostgres<OperatorRepository>('operators')`. */
export function notYetOnPostgres<T extends object>(name: string): T {
  return new Proxy({} as T, {
    get: (_target, method) =>
      typeof method === 'string' && method !== 'then'
        ? () => Promise.reject(new OioiError(100, `storage.${name}.${method} is not available on PostgreSQL yet`))
        : undefined,
  });
}
