/**
 * Text handed on as the UTF-8 bytes it is stored as, for answers that write it out as bytes again:
 * the SQLite surface index keeps station names in one byte array, and decoding a hundred names per
 * station-get-surface answer only to encode them again cost about a tenth of the answer's CPU.
 */
export class Utf8Text {
  /** `bytes[start, end)` is the text; the array must not change afterwards (a copy of the owner's). */
  constructor(
    readonly bytes: Uint8Array,
    readonly start: number,
    readonly end: number,
  ) {}

  /** The text as a string. Example: `String(new Utf8Text(Buffer.from('Ladepark'), 0, 8)) === 'Ladepark'`. */
  toString(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('utf8', this.start, this.end);
  }

  /** JSON.stringify writes it as the string it is. */
  toJSON(): string {
    return this.toString();
  }
}

/** A name as a string, whichever way it came. Example: `textOf(record.name)`. */
export function textOf(value: string | Utf8Text): string {
  return typeof value === 'string' ? value : value.toString();
}
