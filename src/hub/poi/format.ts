/** Small conversions shared by the POI answers: times, the status summary, speeds. */
import { formatDateTime } from '../../protocol/time.js';
import type { ConnectorStatusValue } from '../../storage/poi.js';

/** ms since epoch -> RFC 3339 as the project writes it. Example: `isoOf(0) === '1970-01-01T00:00:00+00:00'`. */
export function isoOf(ms: number): string {
  return formatDateTime(new Date(ms));
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
