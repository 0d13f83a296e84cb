/**
 * Writes JSON text straight into UTF-8 bytes, for large answers built in one pass (a surface
 * answer: 100 stations, 24 KB). Built by string concatenation, such an answer was a rope of about
 * 3,000 pieces: allocating them, then flattening them for Content-Length and the socket, and the
 * collector's work after, cost more than choosing the stations did. Here the pieces go into one
 * reused byte array and the answer is one copy of it.
 *
 * Not re-entrant across awaits: `take()` the bytes before anything else may write.
 */

/** UTF-8 bytes of a piece of JSON known to be ASCII (keys, punctuation). Example: `ascii('{"id":')`. */
export function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** What JSON.stringify escapes (controls, quote, backslash), and surrogates, paired or not: `string`'s slow way. */
const NEEDS_STRINGIFY = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** A growing byte buffer of JSON text. Example: `const w = new JsonBytes(); w.raw(OPEN); w.int(5); w.take()`. */
export class JsonBytes {
  private buf: Buffer;
  private at = 0;

  constructor(initial = 32 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Starts a new text (the previous one must have been taken). */
  reset(): this {
    this.at = 0;
    return this;
  }

  /** Pre-encoded bytes (see `ascii`). A loop: TypedArray#set costs more for a few bytes. */
  raw(bytes: Uint8Array): void {
    this.bytes(bytes, 0, bytes.length);
  }

  /** One ASCII character by its code. */
  char(code: number): void {
    this.room(1);
    this.buf[this.at++] = code;
  }

  /** Text known to need no escaping and to be ASCII (an ISO time, a status word). */
  asciiText(text: string): void {
    const n = text.length;
    this.room(n);
    const buf = this.buf;
    const at = this.at;
    for (let i = 0; i < n; i++) buf[at + i] = text.charCodeAt(i);
    this.at = at + n;
  }

  /** A safe integer as JSON writes it. */
  int(n: number): void {
    if (!Number.isSafeInteger(n)) return this.asciiText(JSON.stringify(n));
    this.room(17);
    if (n < 0) (this.buf[this.at++] = 0x2d), (n = -n);
    this.digits(n, 0);
  }

  /**
   * A number as JSON writes it (`String(x)` for finite ones), fast for those of at most six
   * decimals: when x is exactly N / 10^6 as doubles, the decimal N / 10^6 parses back to x and no
   * shorter decimal does (two decimals of at most 15 significant digits never share a double), so
   * it is the shortest text, which is what JavaScript prints. V8's shortest-double printing cost
   * 0.33 µs a coordinate, a fifth of a surface answer.
   */
  number(x: number): void {
    const n = Math.round(x * 1e6);
    if (n / 1e6 !== x || n > 1e15 || n < -1e15) return this.asciiText(JSON.stringify(x));
    this.room(24);
    if (n === 0) return this.char(0x30); // 0 and -0 both print as 0
    let abs = n;
    if (n < 0) (this.buf[this.at++] = 0x2d), (abs = -n);
    const whole = Math.floor(abs / 1e6);
    let frac = abs - whole * 1e6;
    this.digits(whole, 0);
    if (frac === 0) return;
    let width = 6;
    while (frac % 10 === 0) (frac /= 10), width--;
    this.buf[this.at++] = 0x2e;
    this.digits(frac, width);
  }

  /**
   * A JSON string: its quotes and escapes as JSON.stringify writes them, UTF-8. Printable ASCII
   * goes through a loop (cheapest for short names); a string with other characters but nothing to
   * escape and no surrogate (an accented station name) is written by Buffer's native UTF-8
   * encoder: about 100 ns a name of 20 characters, against 260 ns through JSON.stringify.
   * Escapes and surrogates take JSON.stringify's way: it escapes a lone surrogate, which Buffer's
   * encoder would turn into U+FFFD.
   */
  string(s: string): void {
    const start = this.at;
    this.room(s.length + 2);
    const buf = this.buf;
    let at = this.at;
    buf[at++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        this.at = start;
        if (c > 0x7e && !NEEDS_STRINGIFY.test(s)) return this.utf8String(s);
        const json = JSON.stringify(s);
        this.room(json.length * 3);
        this.at += this.buf.write(json, this.at, 'utf8');
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = 0x22;
    this.at = at;
  }

  /**
   * A JSON string from text already in UTF-8, `bytes[start, end)`: copied as it is, quoted, when
   * it holds nothing to escape (no control character, quote or backslash; bytes of multi-byte
   * characters never look like those), else decoded and written as `string` writes it.
   * Example: `w.utf8(name.bytes, name.start, name.end)`.
   */
  utf8(bytes: Uint8Array, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b < 0x20 || b === 0x22 || b === 0x5c) return this.string(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start, end));
    }
    this.char(0x22);
    this.bytes(bytes, start, end);
    this.char(0x22);
  }

  /** Bytes known to be JSON text as they are, `bytes[start, end)`. Example: `w.bytes(table, 8 * i, 8 * i + 8)`. */
  bytes(bytes: Uint8Array, start: number, end: number): void {
    this.room(end - start);
    const buf = this.buf;
    let at = this.at;
    for (let i = start; i < end; i++) buf[at++] = bytes[i]!;
    this.at = at;
  }

  /** A string with nothing to escape and no surrogate, quoted: at most 3 bytes a UTF-16 unit. */
  private utf8String(s: string): void {
    this.room(s.length * 3 + 2);
    const buf = this.buf;
    buf[this.at++] = 0x22;
    this.at += buf.write(s, this.at, 'utf8');
    buf[this.at++] = 0x22;
  }

  /** A copy of the text written since `reset`. */
  take(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.at));
  }

  /** Writes the digits of a non-negative integer, left-padded with zeros to `width`. */
  private digits(n: number, width: number): void {
    let len = 1;
    for (let p = 10; p <= n; p *= 10) len++;
    if (len < width) len = width;
    const buf = this.buf;
    for (let i = this.at + len - 1; i >= this.at; i--) {
      buf[i] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.at += len;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const to = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(to, 0, 0, this.at);
    this.buf = to;
  }
}
