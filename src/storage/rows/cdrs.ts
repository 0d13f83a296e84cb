/** The `cdrs` row both engines read, and the columns they keep beside its JSON (migration 450). */
import type { CdrRecord } from '../cdrs.js';

/**
 * What `raw` holds when the post as received is the record itself: a session's first post, so
 * nearly every CDR. Its JSON is then stored once (in `payload`), not twice: the post's size less
 * per CDR on disk, in the WAL and in each checkpoint (SQLite, in-process: 68-69 -> 61-62 µs of
 * main-thread CPU per CDR taken, posts of 410 bytes). Never valid JSON, so never a stored post.
 */
export const RAW_IS_PAYLOAD = '';

/**
 * The `raw` column of a written CDR: RAW_IS_PAYLOAD when the decided record is the post itself.
 * Example: `rawColumn(post.raw, decision.payload)` -> `''` for a new session's first post.
 */
export function rawColumn(raw: unknown, payload: unknown): string {
  return raw === payload ? RAW_IS_PAYLOAD : JSON.stringify(raw);
}

/**
 * The post as received, from a row's `payload` and `raw` columns (each parsed on its own, so the
 * two objects never alias). Example: `rawOf(row.payload, row.raw)`.
 */
export function rawOf(payload: string, raw: string): unknown {
  return JSON.parse(raw === RAW_IS_PAYLOAD ? payload : raw);
}

/** A `cdrs` row as `SELECT *` gives it (payload is JSON text; raw too, or RAW_IS_PAYLOAD). */
export interface CdrRow {
  session_id: string; partner_id: number; partner_identifier: string; evse_id: string; user_type: string; user_id: string;
  payload: string; raw: string; versions: number; received_at: number; updated_at: number;
}

/** The record of a row. Example: `row && toCdr(row)`. */
export function toCdr(r: CdrRow): CdrRecord {
  return {
    sessionId: r.session_id, partnerId: r.partner_id, partnerIdentifier: r.partner_identifier, evseId: r.evse_id,
    userType: r.user_type, userId: r.user_id, payload: JSON.parse(r.payload), raw: rawOf(r.payload, r.raw),
    versions: r.versions, receivedAt: r.received_at, updatedAt: r.updated_at,
  };
}

/** ms since epoch of an RFC 3339 string inside the payload, or null. */
function ms(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/**
 * Columns kept beside the JSON so operators and later queries need not parse it.
 * Example: `const [start, stop, energy] = cdrColumns(decision.payload)`.
 */
export function cdrColumns(p: Record<string, any>) {
  return [ms(p['session-interval']?.start), ms(p['session-interval']?.stop), typeof p['energy-consumed'] === 'number' ? p['energy-consumed'] : null] as const;
}
