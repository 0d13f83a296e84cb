/** The `cdrs` row both engines read, and the columns they keep beside its JSON (migration 450). */
import type { CdrRecord } from '../cdrs.js';

/** A `cdrs` row as `SELECT *` gives it (payload and raw are JSON text). */
export interface CdrRow {
  session_id: string; partner_id: number; partner_identifier: string; evse_id: string; user_type: string; user_id: string;
  payload: string; raw: string; versions: number; received_at: number; updated_at: number;
}

/** The record of a row. Example: `row && toCdr(row)`. */
export function toCdr(r: CdrRow): CdrRecord {
  return {
    sessionId: r.session_id, partnerId: r.partner_id, partnerIdentifier: r.partner_identifier, evseId: r.evse_id,
    userType: r.user_type, userId: r.user_id, payload: JSON.parse(r.payload), raw: JSON.parse(r.raw),
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
