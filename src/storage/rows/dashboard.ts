/**
 * Rows of the dashboard's read queries and their mapping, shared by both engines. Numbers go
 * through Number(): PostgreSQL answers count()/sum() of BIGINT as strings; on SQLite it is a no-op.
 */
import type { CdrHit, MapCluster } from '../dashboard.js';
import { rawOf } from './cdrs.js';

/** A map cluster as the queries sum it: count, summed coordinates and counts per status. */
export interface ClusterRow { n: number; slat: number; slon: number; a: number; o: number; r: number; f: number; u: number }

/** The `cdrs` columns a CDR hit needs (payload and raw are JSON text). */
export interface CdrHitRow { session_id: string; evse_id: string; user_type: string; user_id: string; started_at: number | null; stopped_at: number | null; energy: number | null; partner_id: number; payload: string; raw: string }

/** A number column, whichever type the driver gave it. Example: `n('42')` is 42. */
export const n = (v: unknown): number => Number(v);

/** A nullable number column. Example: `nOrNull(null)` is null. */
export const nOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The cluster of a row, at the mean position of its stations. Example: `rows.map(clusterOf)`. */
export function clusterOf(r: ClusterRow): MapCluster {
  const count = n(r.n);
  return { lat: n(r.slat) / count, lon: n(r.slon) / count, count, statuses: { Available: n(r.a), Occupied: n(r.o), Reserved: n(r.r), Offline: n(r.f), Unknown: n(r.u) } };
}

/** The hit of a CDR row. Example: `row && cdrOf(row)`. */
export function cdrOf(r: CdrHitRow): CdrHit {
  return {
    sessionId: r.session_id,
    evseId: r.evse_id,
    userType: r.user_type,
    userId: r.user_id,
    startedAt: nOrNull(r.started_at),
    stoppedAt: nOrNull(r.stopped_at),
    energy: nOrNull(r.energy),
    cpoPartnerId: n(r.partner_id),
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    raw: rawOf(r.payload, r.raw),
  };
}
