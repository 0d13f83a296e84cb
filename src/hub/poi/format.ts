/** Small conversions shared by the POI answers: times, the status summary, speeds. */
import { formatDateTime } from '../../protocol/time.js';
import type { ConnectorStatusValue } from '../../storage/poi.js';
import { ascii, type JsonBytes } from '../../transport/server/json-bytes.js';

const DAY_MS = 86_400_000;
/** Latest 9999-12-31T23:59:59.999Z: four-digit years, as `formatDateTime` writes them. */
const FAST_END_MS = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
/** `YYYY-MM-DDT` by day number since the epoch, as text and bytes: a surface answer formats ~100 times of a few days. */
const dayPrefixes = new Map<number, { text: string; bytes: Uint8Array }>();

/** The cached `YYYY-MM-DDT` of a day number (within the fast range). */
function dayPrefix(day: number): { text: string; bytes: Uint8Array } {
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= 4096) dayPrefixes.clear();
    const text = formatDateTime(new Date(day * DAY_MS)).slice(0, 11);
    prefix = { text, bytes: ascii(text) };
    dayPrefixes.set(day, prefix);
  }
  return prefix;
}

/**
 * ms since epoch -> RFC 3339 as the project writes it (`formatDateTime`'s text, built from a
 * cached date and the time of day: a Date and six getters per call cost ~0.6 µs).
 * Example: `isoOf(0) === '1970-01-01T00:00:00+00:00'`.
 */
export function isoOf(ms: number): string {
  if (!(ms >= 0 && ms < FAST_END_MS)) return formatDateTime(new Date(ms));
  const day = Math.floor(ms / DAY_MS);
  const seconds = Math.floor((ms - day * DAY_MS) / 1000);
  return `${dayPrefix(day).text}${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}+00:00`;
}

/** `00` to `59`, two bytes each: the digits of a time of day. */
const TWO_DIGIT_BYTES = ascii(TWO_DIGITS.join(''));
const UTC_BYTES = ascii('+00:00');

/**
 * Writes `isoOf(ms)` as bytes (no quotes), without making the string: a surface answer writes a
 * hundred of them. Example: `writeIsoOf(w, 0)` writes 1970-01-01T00:00:00+00:00.
 */
export function writeIsoOf(w: JsonBytes, ms: number): void {
  if (!(ms >= 0 && ms < FAST_END_MS)) return w.asciiText(isoOf(ms));
  const day = Math.floor(ms / DAY_MS);
  w.raw(dayPrefix(day).bytes);
  const seconds = Math.floor((ms - day * DAY_MS) / 1000);
  const h = Math.floor(seconds / 3600) * 2, m = (Math.floor(seconds / 60) % 60) * 2, s = (seconds % 60) * 2;
  w.bytes(TWO_DIGIT_BYTES, h, h + 2);
  w.char(0x3a);
  w.bytes(TWO_DIGIT_BYTES, m, m + 2);
  w.char(0x3a);
  w.bytes(TWO_DIGIT_BYTES, s, s + 2);
  w.raw(UTC_BYTES);
}

/**
 * The station summary of shared/protocol.md: Available if any connector is, else Occupied if any is
 * Occupied or Reserved, else Offline if all are, else null.
 * Example: `statusSummary(['Offline', 'Reserved']) === 'Occupied'`.
 */
export function statusSummary(statuses: Iterable<ConnectorStatusValue>): 'Available' | 'Occupied' | 'Offline' | null {
  let any = false;
  let occupied = false;
  let allOffline = true;
  for (const s of statuses) {
    any = true;
    if (s === 'Available') return 'Available';
    if (s === 'Occupied' || s === 'Reserved') occupied = true;
    if (s !== 'Offline') allOffline = false;
  }
  if (occupied) return 'Occupied';
  return any && allOffline ? 'Offline' : null;
}

/** kW as station-get-by-ids writes a speed. Example: `speedText(22.2) === '22.2kW'`. */
export function speedText(kw: number): string {
  return `${kw}kW`;
}

/** The asking partner's hub id (the server core's principal holds it as a string). */
export function partnerIdOf(principal: { partnerId: string }): number {
  return Number(principal.partnerId);
}
