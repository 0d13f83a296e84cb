/**
 * The PostgreSQL connection pool of a hub: transactions that answer only after COMMIT, a small
 * queue that turns the writes of one event-loop turn into one statement (see `Batcher`), and
 * errors sorted into "storage unavailable" (answered 503, retry) and everything else.
 */
import pg from 'pg';
import { OioiError } from '../../protocol/errors.js';

export type Client = pg.PoolClient;
export type Queryable = pg.Pool | pg.PoolClient;

/** BIGINT and NUMERIC come back as JS numbers: ids and ms timestamps stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

/** Node network errors and SQLSTATE classes that mean "the server is not there right now". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether an error means the database cannot be reached (as opposed to a rejected statement). */
export function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^(08|53|57)/.test(code))) return true;
  const message = String((error as Error)?.message ?? '');
  return /Connection terminated|timeout exceeded when trying to connect|Client was closed|Cannot use a pool after calling end/i.test(message);
}

/** The error a caller sees when the database cannot be reached: 101 / HTTP 503, retry in a second. */
export function unavailable(error: unknown): OioiError {
  return new OioiError(101, `storage unavailable: ${(error as Error)?.message ?? error}`, { httpStatus: 503, retryAfter: 1 });
}

/** Rethrows connection problems as `unavailable`, other errors unchanged. */
function translate(error: unknown): never {
  if (error instanceof OioiError) throw error;
  if (isUnavailable(error)) throw unavailable(error);
  throw error;
}

/** SQLSTATEs after which PostgreSQL rolled the statement back and running it again is safe: deadlock, serialization failure. */
const RETRYABLE_CODES = new Set(['40P01', '40001']);
/** How often a deadlocked statement or transaction is run again before the error reaches the caller. */
const RETRIES = 4;

/**
 * Runs `attempt` again when PostgreSQL aborted it as a deadlock victim or a serialization failure.
 * Two hubs batching status posts of overlapping connectors can lock rows in opposite orders; the
 * loser is rolled back whole, so running it again is the same as having run it later.
 */
async function withRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      const code = (error as { code?: string })?.code;
      if (i >= RETRIES || code === undefined || !RETRYABLE_CODES.has(code)) throw error;
      await new Promise((r) => setTimeout(r, 2 + Math.random() * 10 * (i + 1)));
    }
  }
}

/** Whether `error` is a unique-constraint violation, optionally of the named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** A statement PostgreSQL keeps prepared per connection under `name` (one name, one text). */
export interface NamedStatement {
  name: string;
  text: string;
}

/**
 * The placeholders $first..$first+n-1, for SQL fragments shared by statements whose parameters
 * start at different positions. Example: `placeholders(4, 2)` -> `['$4', '$5']`.
 */
export function placeholders(first: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `$${first + i}`);
}

/**
 * The query config of plain SQL or a named statement, for `pg`'s `query`.
 * Example: `await client.query(queryConfig({ name: 'oioi_x', text: 'SELECT $1' }, [1]))`.
 */
export function queryConfig(sql: string | NamedStatement, values: unknown[]): pg.QueryConfig {
  return typeof sql === 'string' ? { text: sql, values } : { name: sql.name, text: sql.text, values };
}

/**
 * One PostgreSQL database. Example: `const rows = await db.query<{ id: number }>('SELECT id FROM partners')`.
 */
export class PgDatabase {
  private closed = false;
  /** Operations started and not yet settled: close() lets them finish. */
  private inFlight = 0;
  private idle: Array<() => void> = [];

  constructor(readonly pool: pg.Pool) {
    // An idle client losing its connection must not crash the hub; the next query reports it.
    pool.on('error', () => {});
  }

  /**
   * Runs one statement outside any transaction. `sql` may be a named statement (`{ name, text }`):
   * PostgreSQL then parses and plans it once per connection instead of on every call, for the
   * hot look-ups. Example: `await db.query('SELECT 1')`.
   */
  async query<R = any>(sql: string | NamedStatement, params: unknown[] = [], on: Queryable = this.pool): Promise<R[]> {
    this.begin();
    const statement = queryConfig(sql, params);
    try {
      // Inside a caller's transaction (`on` is a client) the whole transaction must be retried, not one statement.
      if (on !== this.pool) return (await on.query(statement)).rows as R[];
      return await withRetry(async () => (await on.query(statement)).rows as R[]);
    } catch (error) {
      throw translate(error);
    } finally {
      this.end();
    }
  }

  private begin(): void {
    if (this.closed) throw new OioiError(100, 'storage is closed', { httpStatus: 503, retryAfter: 1 });
    this.inFlight++;
  }

  private end(): void {
    if (--this.inFlight === 0) for (const fn of this.idle.splice(0)) fn();
  }

  /**
   * Runs `fn` in one transaction on one connection; resolves after COMMIT, rolls back when `fn`
   * throws. `first`, when given, is SQL sent with the BEGIN in one round trip (a lock, say): no
   * parameters, so every value in it must be a literal escaped with `pg.escapeLiteral`.
   * Example: `await db.tx(async (c) => { await c.query('INSERT …'); })`.
   */
  async tx<T>(fn: (client: Client) => Promise<T>, first?: string): Promise<T> {
    this.begin();
    try {
      return await withRetry(() => this.run(fn, first));
    } finally {
      this.end();
    }
  }

  private async run<T>(fn: (client: Client) => Promise<T>, first?: string): Promise<T> {
    let client: Client;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translate(error);
    }
    let broken: unknown;
    try {
      await client.query(first === undefined ? 'BEGIN' : `BEGIN; ${first}`);
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError; // the connection is gone: do not give it back to the pool
      }
      throw translate(error);
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /**
   * Lets writes queued in this turn (batches flush on the next one) and operations in flight
   * finish, then closes every connection, like SqliteDatabase.close.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.closed = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.pool.end();
  }
}

/** Where a URL points, without its password: for error messages. */
export function describeUrl(url: URL): string {
  return `${url.hostname || 'localhost'}:${url.port || 5432}${url.pathname || '/'}`;
}

/**
 * A pool for a `postgres://user:pass@host:port/db` URL, checked by connecting once: a bad URL
 * or an unreachable server gives a one-line error. Example: `await openPool('postgres://oioi@db/oioi')`.
 */
export async function openPool(url: string, { max = 10 }: { max?: number } = {}): Promise<pg.Pool> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`invalid PostgreSQL URL: expected postgres://user:pass@host:port/db`);
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || parsed.pathname.length <= 1) {
    throw new Error(`invalid PostgreSQL URL '${parsed.protocol}//${describeUrl(parsed)}': expected postgres://user:pass@host:port/db`);
  }
  // The first connection must come within 5 s (a wrong host fails fast); later, a request may wait
  // longer for a free pooled connection during a burst before it is answered "storage unavailable".
  const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
  } catch (error) {
    const reason = String((error as Error)?.message ?? error).split('\n')[0];
    throw new Error(`cannot connect to PostgreSQL at ${describeUrl(parsed)}: ${reason}`);
  } finally {
    await probe.end().catch(() => {});
  }
  const pool = new pg.Pool({ connectionString: url, max, types, connectionTimeoutMillis: 30_000, idleTimeoutMillis: 30_000, application_name: 'oioi' } as pg.PoolConfig);
  pool.on('error', () => {});
  return pool;
}
