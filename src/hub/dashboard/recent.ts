/**
 * The last status changes per station the hub saw, kept in process (bounded: 20 per station, the
 * 10,000 most recently changed stations). Lost on restart, which a live view can afford.
 */
import { isoOf } from '../poi/format.js';
import type { ConnectorStatusValue } from '../../storage/poi.js';

export interface RecentChange { at: string; evseId: string; status: ConnectorStatusValue }

/** Example: `recent.add(7, { at, evseId, status }); recent.of(7)` -> newest first. */
export class RecentChanges {
  private readonly byStation = new Map<number, RecentChange[]>();

  constructor(
    private readonly perStation = 20,
    private readonly stations = 10_000,
  ) {}

  add(stationId: number, change: { at: number; evseId: string; status: ConnectorStatusValue }): void {
    const list = this.byStation.get(stationId) ?? [];
    this.byStation.delete(stationId); // re-inserted last: Map order is the eviction order
    list.unshift({ at: isoOf(change.at), evseId: change.evseId, status: change.status });
    if (list.length > this.perStation) list.length = this.perStation;
    this.byStation.set(stationId, list);
    if (this.byStation.size > this.stations) this.byStation.delete(this.byStation.keys().next().value!);
  }

  /** A station's changes, newest first. */
  of(stationId: number): RecentChange[] {
    return [...(this.byStation.get(stationId) ?? [])];
  }
}
