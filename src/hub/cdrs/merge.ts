/**
 * How a repeated session-post changes a stored CDR (shared/protocol.md, "CDRs"): fields a post
 * carries replace the stored ones (nested objects field by field), fields it omits are kept, so a
 * later post completes the record and never erases data.
 */
import { isRecord } from '../../protocol/messages/common.js';

/**
 * The record after applying `next` to `stored`. A post without a stop time that arrives after the
 * record was completed is a stale running-session update: it changes nothing.
 * Example: `mergeCdr({ 'energy-consumed': 1 }, { 'calculated-cost': {...} })` has both keys.
 */
export function mergeCdr(stored: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  if (hasStop(stored) && !hasStop(next)) return stored;
  const out: Record<string, unknown> = { ...stored };
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined) continue;
    out[k] = isRecord(v) && isRecord(out[k]) ? { ...(out[k] as Record<string, unknown>), ...v } : v;
  }
  return out;
}

function hasStop(p: Record<string, unknown>): boolean {
  const i = p['session-interval'];
  return isRecord(i) && typeof i.stop === 'string';
}

/** JSON with object keys sorted: equal records give equal strings. Example: `canonicalJson({ b: 1, a: 2 }) === '{"a":2,"b":1}'`. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
