/** A small JSON-lines logger: one object per line, level filtered once at creation. */

export interface Logger {
  info(obj: object): void;
  warn(obj: object): void;
  error(obj: object): void;
  /**
   * Optional: the access line of one answered request, the line `error` (status 500 and up) or
   * `info` would write for the same object. The server calls it when present, else `error`/`info`.
   */
  request?(line: RequestLine): void;
}

/** What the server logs of every request it answers: never the key, the headers or the body. */
export interface RequestLine {
  requestId: string;
  call?: string | undefined;
  partner?: string | undefined;
  status: number;
  code: number;
  /** Time to answer in ms, rounded to hundredths. */
  ms: number;
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
 * On stdout and stderr lines are gathered and written together every FLUSH_MS (a hub under load
 * logs thousands of lines a second; one system call each cost more than the rest of the
 * logging), an error or warning with what came before it on the next event-loop turn, and all
 * of them when the process exits. Other streams get every line at once unless `buffered` says
 * otherwise.
 * Example: `createLogger({ level: 'warn', stream: process.stderr }).warn({ msg: 'slow' })`.
 */
export function createLogger(options: { level?: LogLevel; stream?: { write(chunk: string): unknown }; buffered?: boolean } = {}): Logger {
  const level = options.level ?? levelFromEnv();
  const stream = options.stream ?? process.stdout;
  const buffered = options.buffered ?? (stream === process.stdout || stream === process.stderr);
  const out: (chunk: string, soon: boolean) => void = buffered ? gathered(stream) : (chunk) => void stream.write(chunk);
  let lastMs = -1;
  let lastIso = '';
  const now = (): string => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
  const line = (name: string) => (obj: object) => {
    // time and level first so lines sort and grep well; the caller's keys follow.
    const rest = JSON.stringify(obj);
    out(`{"time":"${now()}","level":"${name}"${rest.length > 2 ? `,${rest.slice(1)}` : '}'}\n`, name !== 'info');
  };
  const logsError = rank[level] >= 1;
  const logsInfo = rank[level] >= 3;
  // The access line by hand: JSON.stringify of its object took about 0.8 µs, mostly printing `ms`
  // (a double), against 0.1 µs here, on the path of every request. Same text, key for key.
  const request = (r: RequestLine): void => {
    const isError = r.status >= 500;
    if (!(isError ? logsError : logsInfo)) return;
    const name = isError ? 'error' : 'info';
    out(
      `{"time":"${now()}","level":"${name}","requestId":${jsonString(r.requestId)}${r.call === undefined ? '' : `,"call":${jsonString(r.call)}`}` +
        `${r.partner === undefined ? '' : `,"partner":${jsonString(r.partner)}`},"status":${jsonNumber(r.status)},"code":${jsonNumber(r.code)},"ms":${hundredths(r.ms)}}\n`,
      isError,
    );
  };
  return Object.freeze({
    error: logsError ? line('error') : noop,
    warn: rank[level] >= 2 ? line('warn') : noop,
    info: logsInfo ? line('info') : noop,
    request,
  });
}

/** Printable ASCII without a quote or backslash: written between quotes as it is. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** `s` as a JSON string, as JSON.stringify writes it. Example: `jsonString('a"b') === '"a\\"b"'`. */
function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}

/** A number as JSON.stringify writes it (null for NaN and infinities). Example: `jsonNumber(200) === '200'`. */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/**
 * A time rounded to hundredths (`Math.round(x * 100) / 100`) as JSON.stringify writes it: the
 * division is correctly rounded, so the two-decimal text, trailing zeros dropped, is the shortest
 * that reads back as the same double. Example: `hundredths(0.3) === '0.3'`, `hundredths(12.05) === '12.05'`.
 */
export function hundredths(x: number): string {
  const c = Math.round(x * 100);
  if (!(x >= 0) || !Number.isSafeInteger(c) || c / 100 !== x) return jsonNumber(x);
  const whole = Math.floor(c / 100);
  const frac = c - whole * 100;
  if (frac === 0) return String(whole);
  if (frac % 10 === 0) return `${whole}.${frac / 10}`;
  return `${whole}.${frac < 10 ? '0' : ''}${frac}`;
}

/**
 * Milliseconds a gathered line waits at most before its write. Written once per event-loop turn
 * instead, a hub wrote about three lines a write under load: 1.4-1.6 µs of CPU a request
 * (bench/README.md, What limits), against about 0.2 µs a line in writes of hundreds.
 */
export const FLUSH_MS = 25;

/** A stream's gathering of lines: `soon` lines (errors, warnings) go out on the next turn. */
type Gathered = (chunk: string, soon: boolean) => void;

/** Lines gathered per stream, written every FLUSH_MS, at 64 KiB, and at exit. */
const buffers = new Map<{ write(chunk: string): unknown }, Gathered>();

function gathered(stream: { write(chunk: string): unknown }): Gathered {
  const known = buffers.get(stream);
  if (known) return known;
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  let turn = false;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    turn = false;
    if (pending === '') return;
    const chunk = pending;
    pending = '';
    stream.write(chunk);
  };
  process.on('exit', flush);
  const add: Gathered = (chunk, soon) => {
    pending += chunk;
    if (pending.length >= 65_536) flush();
    else if (soon) {
      if (!turn) {
        turn = true;
        setImmediate(flush);
      }
    } else if (timer === undefined) {
      // Unref'd: a process with nothing else to do exits, and its exit handler writes the lines.
      timer = setTimeout(flush, FLUSH_MS);
      timer.unref();
    }
  };
  buffers.set(stream, add);
  return add;
}

/** A logger that drops everything. Example: `createOioiServer({ ..., logger: silentLogger })`. */
export const silentLogger: Logger = Object.freeze({ info: noop, warn: noop, error: noop });
