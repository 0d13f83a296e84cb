/** A small JSON-lines logger: one object per line, level filtered once at creation. */

export interface Logger {
  info(obj: object): void;
  warn(obj: object): void;
  error(obj: object): void;
}

export type LogLevel = 'silent' | 'error' | 'warn' | 'info';
const rank: Record<LogLevel, number> = { silent: 0, error: 1, warn: 2, info: 3 };

/** The levels, quietest first. Example: `LOG_LEVELS.join('|')` -> `'silent|error|warn|info'`. */
export const LOG_LEVELS = Object.freeze(Object.keys(rank) as LogLevel[]);

/** Whether `v` names a level, exactly (an own key: not `toString` and the like). Example: `isLogLevel('warn')`. */
export function isLogLevel(v: string): v is LogLevel {
  return Object.hasOwn(rank, v);
}

function levelFromEnv(): LogLevel {
  const v = process.env.OIOI_LOG?.toLowerCase();
  return v && isLogLevel(v) ? v : 'info';
}

const noop = (): void => {};

/**
 * A JSON-lines logger writing to `stream` (default stdout); level from OIOI_LOG by default.
 * On stdout and stderr the lines of one event-loop turn go out in one write (a hub under load
 * logs thousands of lines a second; one system call each cost more than the rest of the
 * logging), at the latest when the process exits. Other streams get every line at once unless
 * `buffered` says otherwise.
 * Example: `createLogger({ level: 'warn', stream: process.stderr }).warn({ msg: 'slow' })`.
 */
export function createLogger(options: { level?: LogLevel; stream?: { write(chunk: string): unknown }; buffered?: boolean } = {}): Logger {
  const level = options.level ?? levelFromEnv();
  const stream = options.stream ?? process.stdout;
  const buffered = options.buffered ?? (stream === process.stdout || stream === process.stderr);
  const out = buffered ? turnBuffered(stream) : (chunk: string) => void stream.write(chunk);
  let lastMs = -1;
  let lastIso = '';
  const line = (name: string) => (obj: object) => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    // time and level first so lines sort and grep well; the caller's keys follow.
    const rest = JSON.stringify(obj);
    out(`{"time":"${lastIso}","level":"${name}"${rest.length > 2 ? `,${rest.slice(1)}` : '}'}\n`);
  };
  return Object.freeze({
    error: rank[level] >= 1 ? line('error') : noop,
    warn: rank[level] >= 2 ? line('warn') : noop,
    info: rank[level] >= 3 ? line('info') : noop,
  });
}

/** Lines gathered per stream and written once per event-loop turn (64 KiB at most), and at exit. */
const buffers = new Map<{ write(chunk: string): unknown }, (chunk: string) => void>();

function turnBuffered(stream: { write(chunk: string): unknown }): (chunk: string) => void {
  const known = buffers.get(stream);
  if (known) return known;
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    stream.write(chunk);
  };
  process.on('exit', flush);
  const add = (chunk: string) => {
    pending += chunk;
    if (pending.length >= 65_536) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  buffers.set(stream, add);
  return add;
}

/** A logger that drops everything. Example: `createOioiServer({ ..., logger: silentLogger })`. */
export const silentLogger: Logger = Object.freeze({ info: noop, warn: noop, error: noop });
