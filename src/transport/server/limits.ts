/**
 * Shape limits of a parsed body, checked in one cheap walk before the call's schema runs: the
 * body size limit bounds the bytes, these bound what a hostile body can make the validators,
 * normalizers and storage chew on (deep nesting, huge strings, long arrays, objects with
 * thousands of keys). A breach is a malformed request: 400 with code 230, naming the JSON path.
 * The same walk refuses strings holding a lone UTF-16 surrogate: JSON lets a body write one as a
 * `\uD800` escape, but it is not text, UTF-8 (the protocol's encoding, and SQLite's) cannot carry
 * it, and stored it would come back as three U+FFFD.
 */
import { OioiError } from '../../protocol/index.js';

export interface InputLimits {
  /** Deepest nesting of objects and arrays; the body object itself is level 1 (default 32). */
  depth: number;
  /** Longest string value or object key, in UTF-16 code units (default 16384). */
  stringLength: number;
  /** Most items in one array (default 10000; the hub allows whitelists of EMP/OEM senders more). */
  arrayItems: number;
  /** Most keys in one object (default 1000). */
  objectKeys: number;
}

export const defaultInputLimits: Readonly<InputLimits> = Object.freeze({ depth: 32, stringLength: 16_384, arrayItems: 10_000, objectKeys: 1_000 });

/** Fills the defaults in and checks the numbers once. Example: `inputLimitsOf({ depth: 8 }).arrayItems === 10000`. */
export function inputLimitsOf(partial: Partial<InputLimits> = {}): Readonly<InputLimits> {
  const out = { ...defaultInputLimits };
  for (const k of Object.keys(defaultInputLimits) as Array<keyof InputLimits>) {
    const v = partial[k];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 1) throw new TypeError(`inputLimits.${k} must be a whole number >= 1`);
    out[k] = v;
  }
  return Object.freeze(out);
}

/** A breach found by the walk: what went over and where (path segments, outermost first). */
class Breach {
  readonly path: Array<string | number> = [];
  constructor(readonly what: string) {}
}

function pathText(path: Array<string | number>): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else {
      const shown = p.length > 40 ? `${p.slice(0, 40)}…` : p;
      s += s === '' ? shown : `.${shown}`;
    }
  }
  return s === '' ? 'body' : s;
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const loneSurrogate = 'string holds a lone UTF-16 surrogate, which is not text';

// Recursive on purpose: the depth limit (32 by default) bounds the stack, and a plain recursive
// walk is the fastest way through the small bodies of the hot path. `text` asks for the surrogate
// check, which only bodies with a \uD… escape need.
function walk(value: unknown, level: number, lim: Readonly<InputLimits>, text: boolean): Breach | undefined {
  if (typeof value === 'string') {
    if (value.length > lim.stringLength) return new Breach(`string longer than ${lim.stringLength} characters`);
    return text && LONE_SURROGATE.test(value) ? new Breach(loneSurrogate) : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (level > lim.depth) return new Breach(`nesting deeper than ${lim.depth} levels`);
  if (Array.isArray(value)) {
    if (value.length > lim.arrayItems) return new Breach(`array longer than ${lim.arrayItems} items`);
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null || (typeof item !== 'object' && typeof item !== 'string')) continue;
      const b = walk(item, level + 1, lim, text);
      if (b) {
        b.path.unshift(i);
        return b;
      }
    }
    return undefined;
  }
  let n = 0;
  for (const k in value) {
    if (++n > lim.objectKeys) return new Breach(`object with more than ${lim.objectKeys} keys`);
    if (k.length > lim.stringLength) return new Breach(`key longer than ${lim.stringLength} characters`);
    if (text && LONE_SURROGATE.test(k)) return new Breach(`key: ${loneSurrogate}`);
    const b = walk((value as Record<string, unknown>)[k], level + 1, lim, text);
    if (b) {
      b.path.unshift(k);
      return b;
    }
  }
  return undefined;
}

/**
 * Whether a raw JSON body may hold a surrogate escape (`\uD…`), the only way a lone surrogate
 * gets into a parsed string (raw bytes that are not UTF-8 fail to decode). Native searches, so
 * the hot path's bodies skip the per-string check: first for a backslash (a byte search, memchr),
 * which most bodies do not hold, then for the escape (a text search, twice the cost each).
 * Example: `mayHoldSurrogates(raw)`.
 */
export function mayHoldSurrogates(raw: Buffer): boolean {
  const slash = raw.indexOf(0x5c);
  return slash !== -1 && (raw.indexOf('\\ud', slash) !== -1 || raw.indexOf('\\uD', slash) !== -1);
}

/**
 * Throws a 230 naming the first place where `value` breaks `limits`, or, with `checkText`, holds a
 * lone surrogate. Example: `checkInputLimits(JSON.parse(text), defaultInputLimits, mayHoldSurrogates(raw))`.
 */
export function checkInputLimits(value: unknown, limits: Readonly<InputLimits>, checkText = true): void {
  const b = walk(value, 1, limits, checkText);
  if (b) throw new OioiError(230, `${pathText(b.path)}: ${b.what}`, { details: { path: pathText(b.path) } });
}
