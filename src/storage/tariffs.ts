/** Tariffs the hub operator configures (`oioi tariff set`), as storage keeps them. */

/** The stored tariffs that apply to some stations: by hub station id and by EVSE key. */
export interface TariffsOfStations {
  byStation: Map<number, Record<string, unknown>>;
  byEvseKey: Map<string, Record<string, unknown>>;
}

/** Storage of tariffs. Example: `await storage.tariffs.setForStation(12, tariff, Date.now())`. */
export interface TariffRepository {
  /** Sets the tariff of a station (by hub id); false when no such station exists. */
  setForStation(stationId: number, tariff: Record<string, unknown>, at: number): Promise<boolean>;
  /** Sets the tariff of every connector with this EVSE key; resolves with how many connectors it names (0: none, nothing stored). */
  setForEvse(evseKey: string, tariff: Record<string, unknown>, at: number): Promise<number>;
  /** The tariffs of these stations and of their connectors' EVSE keys. */
  forStations(stationIds: number[]): Promise<TariffsOfStations>;
}
