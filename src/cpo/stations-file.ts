/**
 * The stations file of `oioi cpo`: every station's static OIOI data, and which OCPP charge point
 * and connector stands behind each EVSE ID. Validated with TypeBox; errors name the JSON path.
 */
import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import { evseKey, validate, isOioiError } from '../protocol/index.js';
import { ConnectorType, EvseId } from '../protocol/messages/common.js';
import { Station, type StationData } from '../protocol/messages/station-post.js';
import { normalizeStationParts } from '../protocol/messages/station-parts.js';

/** One OCPP connector of a charge point, and the OIOI connector (EVSE) it is. */
export const ConnectorMapping = Type.Object({
  'connector-id': Type.Integer({ minimum: 1, maximum: 1000, errorMessage: 'not an OCPP connector id (an integer from 1)' }),
  'evse-id': EvseId,
  type: ConnectorType,
  speed: Type.Number({ minimum: 0, maximum: 10_000, errorMessage: 'not a speed in kW (0 to 10000)' }),
});

/** A charge point as it connects: its OCPP identity, an optional Basic-auth password, its connectors. */
export const ChargePointEntry = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9._:-]{1,48}$', errorMessage: 'not a charge point id (1 to 48 of A-Z a-z 0-9 . _ : -)' }),
  password: Type.Optional(Type.String({ minLength: 8, maxLength: 40, errorMessage: 'not a password (8 to 40 characters, as OCPP 1.6 security profile 1 asks)' })),
  connectors: Type.Array(ConnectorMapping, { minItems: 1, maxItems: 100 }),
});

/** A station: the station-post fields without `connectors`/`deleted` (derived), plus its charge points. */
export const StationEntry = Type.Intersect([
  Type.Omit(Station, ['connectors', 'deleted']),
  Type.Object({ 'charge-points': Type.Array(ChargePointEntry, { minItems: 1, maxItems: 100 }) }),
]);

export const StationsFile = Type.Object({ stations: Type.Array(StationEntry, { maxItems: 100_000 }) });

export type StationsFileData = Static<typeof StationsFile>;
export type StationEntryData = Static<typeof StationEntry>;

/** Where an EVSE lives: the station, the charge point and its OCPP connector id. */
export interface EvseLocation { evseId: string; stationId: string; chargePointId: string; connectorId: number; type: string; speed: number; reservable: boolean }

/** The stations file read and indexed. */
export interface StationsConfig {
  stations: StationEntryData[];
  /** chargePointId -> password (undefined: no Basic auth asked) and its connectors. */
  chargePoints: Map<string, { password: string | undefined; stationId: string; connectors: Map<number, EvseLocation> }>;
  /** normalized EVSE key -> location. */
  evses: Map<string, EvseLocation>;
}

/** A stations file that cannot be used; the message says where and why. */
export class StationsFileError extends Error {
  override name = 'StationsFileError';
}

/**
 * Validates parsed JSON as a stations file and indexes it; throws StationsFileError.
 * Example: `parseStations({ stations: [aStation()] }).evses.get('DECPOE1')`.
 */
export function parseStations(json: unknown): StationsConfig {
  for (const s of (json as any)?.stations ?? []) normalizeStationParts(s);
  try {
    validate(StationsFile, json, 'stations-file');
  } catch (err) {
    if (isOioiError(err)) throw new StationsFileError(err.message);
    throw err;
  }
  const data = json as StationsFileData;
  const config: StationsConfig = { stations: data.stations, chargePoints: new Map(), evses: new Map() };
  const stationIds = new Set<string>();
  data.stations.forEach((s, i) => {
    if (stationIds.has(s.id)) throw new StationsFileError(`stations-file.stations[${i}].id: station id ${s.id} appears twice`);
    stationIds.add(s.id);
    s['charge-points'].forEach((cp, j) => {
      const at = `stations-file.stations[${i}].charge-points[${j}]`;
      if (config.chargePoints.has(cp.id)) throw new StationsFileError(`${at}.id: charge point ${cp.id} appears twice`);
      const connectors = new Map<number, EvseLocation>();
      cp.connectors.forEach((c, k) => {
        if (connectors.has(c['connector-id'])) throw new StationsFileError(`${at}.connectors[${k}].connector-id: connector ${c['connector-id']} appears twice`);
        const key = evseKey(c['evse-id']);
        if (config.evses.has(key)) throw new StationsFileError(`${at}.connectors[${k}].evse-id: EVSE ID ${c['evse-id']} appears twice`);
        const loc: EvseLocation = { evseId: c['evse-id'], stationId: s.id, chargePointId: cp.id, connectorId: c['connector-id'], type: c.type, speed: c.speed, reservable: s['is-reservable'] !== false };
        connectors.set(c['connector-id'], loc);
        config.evses.set(key, loc);
      });
      config.chargePoints.set(cp.id, { password: cp.password, stationId: s.id, connectors });
    });
  });
  return config;
}

/** Reads and parses a stations file. Example: `loadStations('./stations.json')`. */
export function loadStations(path: string): StationsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StationsFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new StationsFileError(`${path} is not JSON: ${(err as Error).message}`);
  }
  return parseStations(json);
}

/**
 * The station-post `station` of a stations-file entry: its static data and one connector per EVSE.
 * Example: `stationOf(config.stations[0])['connectors'][0].id === 'DE*CPO*E1'`.
 */
export function stationOf(entry: StationEntryData): StationData {
  const { 'charge-points': cps, ...rest } = entry;
  const connectors = cps.flatMap((cp) => cp.connectors.map((c) => ({ id: c['evse-id'], name: c.type, speed: c.speed })));
  return { ...(structuredClone(rest) as Omit<StationData, 'connectors' | 'deleted'>), connectors, deleted: false } as StationData;
}
