/**
 * The last status changes the hub saw, kept in process and lost on restart, which a live view can
 * afford: a ring of the newest `capacity` changes hub-wide (131,072 by default: about seven
 * minutes at Europe's peak of a few hundred a second), keyed by owner and EVSE key as the status
 * post names them, so recording a change costs no storage read. A station's list is gathered from
 * its connectors when an operator opens it, by a walk of the ring from its newest entry.
 *
 * Why a ring: recording is on the path of every connector-post-status. A map of per-EVSE lists
 * (the design before 2026-12-08) made each status hash a fresh key string, move its entry to the
 * map's end and shift its list: about 2% of a status hub's CPU. Here a change is five stores into
 * preallocated arrays, and the rare read pays instead (a few milliseconds for a full ring).
 */
import { isoOf } from '../poi/format.js';
import { evseKey } from '../../protocol/identifiers/evse-id.js';
import { connectorStatuses } from '../../protocol/messages/common.js';
import type { ConnectorStatusValue } from '../../storage/poi.js';

export interface RecentChange { at: string; evseId: string; status: ConnectorStatusValue }

interface Change { at: number; evseId: string; status: ConnectorStatusValue }

/** A status as one byte of the ring: its place in the protocol's list. */
const CODE = new Map<ConnectorStatusValue, number>(connectorStatuses.map((s, i) => [s, i]));
/** What a status outside the protocol's list (a bug upstream: the schema admits none) is kept as. */
const UNKNOWN = CODE.get('Unknown')!;

/** Example: `recent.add('DE*8PS', 'DE8PSE1', { at, evseId, status }); recent.of('DE*8PS', ['DE*8PS*E1'])` -> newest first. */
export class RecentChanges {
  private readonly at: Float64Array;
  private readonly status: Uint8Array;
  private readonly owner: string[];
  private readonly key: string[];
  private readonly evseId: string[];
  /** Changes recorded since start; the newest is at (written - 1) % capacity. */
  private written = 0;

  /** `perStation`: the most `of` lists; `capacity`: changes kept hub-wide. */
  constructor(
    private readonly perStation = 20,
    private readonly capacity = 1 << 17,
  ) {
    this.at = new Float64Array(capacity);
    this.status = new Uint8Array(capacity);
    this.owner = new Array<string>(capacity).fill('');
    this.key = new Array<string>(capacity).fill('');
    this.evseId = new Array<string>(capacity).fill('');
  }

  /** Records one change of the EVSE `key` (its evseKey) posted under `ownerIdentifier`. */
  add(ownerIdentifier: string, key: string, change: Change): void {
    const i = this.written++ % this.capacity;
    this.at[i] = change.at;
    this.status[i] = CODE.get(change.status) ?? UNKNOWN;
    this.owner[i] = ownerIdentifier;
    this.key[i] = key;
    this.evseId[i] = change.evseId;
  }

  /** The changes of a station's connectors (posted under `ownerIdentifier`), newest first. */
  of(ownerIdentifier: string, evseIds: Iterable<string>): RecentChange[] {
    const keys = new Set([...evseIds].map(evseKey));
    const found: Change[] = [];
    if (keys.size === 0) return [];
    const kept = Math.min(this.written, this.capacity);
    for (let n = 1; n <= kept && found.length < this.perStation; n++) {
      const i = (this.written - n) % this.capacity;
      if (this.owner[i] !== ownerIdentifier || !keys.has(this.key[i]!)) continue;
      found.push({ at: this.at[i]!, evseId: this.evseId[i]!, status: connectorStatuses[this.status[i]!]! });
    }
    // The ring is in the order the changes were recorded; a clock that stepped back may disagree.
    // Stable sort: changes at the same millisecond keep their newest-first order.
    return found.sort((a, b) => b.at - a.at).map((c) => ({ at: isoOf(c.at), evseId: c.evseId, status: c.status }));
  }
}
