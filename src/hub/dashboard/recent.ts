/**
 * The last status changes the hub saw, per EVSE (bounded: 20 per EVSE, the 20,000 most recently
 * changed EVSEs and up to an eighth more between evictions), kept in process and lost on restart,
 * which a live view can afford. Keyed by owner and EVSE key, as the status post names them, so
 * recording a change costs no storage read: a station's list is gathered from its connectors when
 * an operator opens it.
 */
import { isoOf } from '../poi/format.js';
import { evseKey } from '../../protocol/identifiers/evse-id.js';
import type { ConnectorStatusValue } from '../../storage/poi.js';

export interface RecentChange { at: string; evseId: string; status: ConnectorStatusValue }

interface Kept { at: number; evseId: string; status: ConnectorStatusValue }

/** Example: `recent.add('DE*8PS', 'DE8PSE1', { at, evseId, status }); recent.of('DE*8PS', ['DE*8PS*E1'])` -> newest first. */
export class RecentChanges {
  private readonly byEvse = new Map<string, Kept[]>();

  constructor(
    private readonly perStation = 20,
    private readonly evses = 20_000,
  ) {}

  add(ownerIdentifier: string, key: string, change: Kept): void {
    const id = `${ownerIdentifier}\n${key}`;
    const list = this.byEvse.get(id) ?? [];
    this.byEvse.delete(id); // re-inserted last: Map order is the eviction order
    list.unshift(change);
    if (list.length > this.perStation) list.length = this.perStation;
    this.byEvse.set(id, list);
    // Evicted an eighth at a time, through one iterator: a fresh iterator for each eviction walked
    // past every entry deleted before it (V8 keeps them until the map is rebuilt), about 17 µs per
    // status once more EVSEs change than are kept.
    if (this.byEvse.size > this.evses + (this.evses >> 3)) {
      let excess = this.byEvse.size - this.evses;
      for (const oldest of this.byEvse.keys()) {
        if (excess-- <= 0) break;
        this.byEvse.delete(oldest);
      }
    }
  }

  /** The changes of a station's connectors (posted under `ownerIdentifier`), newest first. */
  of(ownerIdentifier: string, evseIds: Iterable<string>): RecentChange[] {
    const all: Kept[] = [];
    for (const k of new Set([...evseIds].map(evseKey))) all.push(...(this.byEvse.get(`${ownerIdentifier}\n${k}`) ?? []));
    // Stable sort: changes at the same millisecond keep their newest-first order.
    return all
      .sort((a, b) => b.at - a.at)
      .slice(0, this.perStation)
      .map((c) => ({ at: isoOf(c.at), evseId: c.evseId, status: c.status }));
  }
}
