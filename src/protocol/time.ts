/**
 * Times on the wire are RFC 3339 date-times (shared/protocol.md, "Identifiers"). Readers accept
 * `Z` or a numeric offset, fractional seconds and lower-case `t`/`z` (RFC 3339 section 5.6 allows
 * them); writers emit whole seconds in UTC as `YYYY-MM-DDTHH:mm:ss+00:00`.
 */

/** RFC 3339 `date-time`. Groups: year, month, day, hour, minute, second, fraction, offset. */
export const DATE_TIME_PATTERN = '^(\\d{4})-(\\d{2})-(\\d{2})[Tt](\\d{2}):(\\d{2}):(\\d{2})(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})$';
const DATE_TIME_RE = new RegExp(DATE_TIME_PATTERN);

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Reads an RFC 3339 date-time, or returns undefined when it is malformed or names an impossible
 * date or time (2021-02-30, 25:00, offset +24:00). A leap second (:60) is read as the next second.
 * Example: `parseDateTime('2021-06-01T12:00:00.5+02:00')?.toISOString() === '2021-06-01T10:00:00.500Z'`.
 */
export function parseDateTime(value: string): Date | undefined {
  const m = DATE_TIME_RE.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7];
  const offset = m[8]!;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  let offsetMinutes = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (offset[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  // Milliseconds are the finest a Date holds; further digits are dropped, not rounded.
  const ms = fraction ? Number(fraction.slice(1, 4).padEnd(3, '0')) : 0;
  // Built field by field: Date.UTC would read years 0..99 as 1900..1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Writes a Date the way the project emits times: UTC, whole seconds, `+00:00`.
 * Throws a RangeError on an invalid Date.
 * Example: `formatDateTime(new Date('2021-06-01T10:00:00.900Z')) === '2021-06-01T10:00:00+00:00'`.
 */
export function formatDateTime(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new RangeError('invalid Date');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00:00`;
}
