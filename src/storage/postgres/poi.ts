/** PostgreSQL implementation of PoiRepository. */
import type { ConnectorStatusValue, PoiRepository, SaveStationOutcome, StationInput, SurfaceQuery } from '../poi.js';
import { Batcher } from './batch.js';
import type { PgDatabase } from './database.js';
import { activeReservations, stationsByIds, usage } from './poi/reads.js';
import { StationSaveBatcher } from './poi/save-station-batch.js';
import { applyStatusPosts, type StatusPost } from './poi/status.js';
import { surface } from './poi/surface.js';
import { PgLiveSurface } from './poi/surface-live.js';

/** Stations and connectors on PostgreSQL. Example: `await new PgPoi(db).setStatus('DE*8PS…', 'DE8PSE1', 'Available', Date.now())`. */
export class PgPoi implements PoiRepository {
  private readonly statusPosts: Batcher<StatusPost, number>;
  /** The station-posts of one turn go to the database together (poi/save-station-batch.ts). */
  private readonly stationSaves: StationSaveBatcher;
  /** The stations in memory that answer surface queries once built (poi/surface-live.ts). */
  readonly live: PgLiveSurface;

  constructor(private readonly db: PgDatabase) {
    this.statusPosts = new Batcher((posts) => applyStatusPosts(db, posts));
    this.stationSaves = new StationSaveBatcher(db);
    this.live = new PgLiveSurface(db);
  }

  saveStation(input: StationInput): Promise<SaveStationOutcome> {
    return this.stationSaves.save(input);
  }

  setStatus(ownerIdentifier: string, evseKey: string, status: ConnectorStatusValue, at: number): Promise<number> {
    return this.statusPosts.push({ owner: ownerIdentifier, key: evseKey, status, at });
  }

  // The first query starts building the in-memory index; until it is built, and for what it does
  // not answer (connector filters, country-sized boxes), oioi_surface answers, with the same answer.
  async surface(query: SurfaceQuery, reservationsAt?: number) {
    this.live.start();
    return (await this.live.answer(query, reservationsAt)) ?? surface(this.db, query, reservationsAt);
  }

  async prepareSurface() {
    this.live.start();
    return { stations: await this.live.whenReady() };
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
