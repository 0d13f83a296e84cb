/** A small JSON-lines logger: one object per line, level filtered once at creation. */

export interface Logger {
  info(obj: object): void;
  warn(obj: object): void;
  error(obj: object): void;
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info';
const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3 };

function levelFromEnv(): LogLevel {
  const v = process.env.OIOI_LOG?.toLowerCase();
  return v && v in rank ? (v as LogLevel) : 'info';
}

const noop = (): void => {};

/**
 * A JSON-lines logger writing to `stream` (default stdout); level from OIOI_LOG by default.
 * Example: `createLogger({ level: 'warn', stream: process.stderr }).warn({ msg: 'slow' })`.
 */
export function createLogger(options: { level?: LogLevel; stream?: { write(chunk: string): unknown } } = {}): Logger {
  const level = options.level ?? levelFromEnv();
  const stream = options.stream ?? process.stdout;
  const line = (name: string) => (obj: object) => {
    // time and level first so lines sort and grep well; the caller's keys follow.
    stream.write(JSON.stringify({ time: new Date().toISOString(), level: name, ...obj }) + '\n');
  };
  return Object.freeze({
    error: rank[level] >= 1 ? line('error') : noop,
    warn: rank[level] >= 2 ? line('warn') : noop,
    info: rank[level] >= 3 ? line('info') : noop,
  });
}

/** A logger that drops everything. Example: `createOioiServer({ ..., logger: silentLogger })`. */
export const silentLogger: Logger = Object.freeze({ info: noop, warn: noop, error: noop });
