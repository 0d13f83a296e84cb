/** PostgreSQL implementation of PoiRepository. */
import type { ConnectorStatusValue, PoiRepository, SaveStationOutcome, StationInput, SurfaceQuery } from '../poi.js';
import { Batcher } from './batch.js';
import type { PgDatabase } from './database.js';
import { activeReservations, stationsByIds, usage } from './poi/reads.js';
import { saveStationTx, stationLocks } from './poi/save-station.js';
import { applyStatusPosts, type StatusPost } from './poi/status.js';
import { surface } from './poi/surface.js';

/** Stations and connectors on PostgreSQL. Example: `await new PgPoi(db).setStatus('DE*8PS…', 'DE8PSE1', 'Available', Date.now())`. */
export class PgPoi implements PoiRepository {
  private readonly statusPosts: Batcher<StatusPost, number>;

  constructor(private readonly db: PgDatabase) {
    this.statusPosts = new Batcher((posts) => applyStatusPosts(db, posts));
  }

  saveStation(input: StationInput): Promise<SaveStationOutcome> {
    return this.db.tx((c) => saveStationTx(c, input), stationLocks(input));
  }

  setStatus(ownerIdentifier: string, evseKey: string, status: ConnectorStatusValue, at: number): Promise<number> {
    return this.statusPosts.push({ owner: ownerIdentifier, key: evseKey, status, at });
  }

  surface(query: SurfaceQuery, reservationsAt?: number) {
    return surface(this.db, query, reservationsAt);
  }

  stationsByIds(ids: number[], askerPartnerId: number) {
    return stationsByIds(this.db, ids, askerPartnerId);
  }

  activeReservations(connectorIds: number[], at: number) {
    return activeReservations(this.db, connectorIds, at);
  }

  usage(stationId: number, at: number) {
    return usage(this.db, stationId, at);
  }
}
