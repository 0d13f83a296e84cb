/**
 * Tariffs (shared/protocol.md: "tariffs the hub operator configured"): set by the operator with
 * `oioi tariff set`, answered by tariffs-get-by-station-ids. A connector's tariff wins over its
 * station's; a connector with neither has `tariff: null`.
 */
import { OioiError } from '../../protocol/errors.js';
import { evseKey, isEvseId } from '../../protocol/identifiers/evse-id.js';
import { validate } from '../../protocol/parse.js';
import { formatDateTime } from '../../protocol/time.js';
import { Tariff, type TariffData, type TariffsGetByStationIds } from '../../protocol/messages/tariff.js';
import type { Storage } from '../../storage/index.js';
import type { HubContext } from '../context.js';

/**
 * Checks a tariff file against the tariff shape of tariffs-get-by-station-ids; `last_updated` may be
 * left out (it becomes `now`). Throws an OioiError 230 naming the first wrong field.
 * Example: `readTariff({ currency: 'EUR', elements: [...] }, new Date())`.
 */
export function readTariff(value: unknown, now: Date): TariffData {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && (value as Record<string, unknown>).last_updated === undefined) {
    value = { ...(value as Record<string, unknown>), last_updated: formatDateTime(now) };
  }
  validate(Tariff, value, 'tariff');
  return value as TariffData;
}

export type TariffTarget = { station: number } | { connector: string };

/**
 * Stores a checked tariff for a hub station id or an EVSE ID; false when nothing has that id.
 * Example: `await setTariff(storage, { connector: 'DE*8PS*E1' }, tariff, new Date())`.
 */
export async function setTariff(storage: Storage, target: TariffTarget, tariff: TariffData, now: Date): Promise<boolean> {
  if ('station' in target) return storage.tariffs.setForStation(target.station, tariff, now.getTime());
  if (!isEvseId(target.connector)) throw new OioiError(230, `${target.connector} is not a valid EVSE ID`);
  return (await storage.tariffs.setForEvse(evseKey(target.connector), tariff, now.getTime())) > 0;
}

/**
 * Answers one tariffs-get-by-station-ids for the partner `asker`: the stations it may see, in the order asked.
 * Example: `await tariffsOfStations(ctx, 5, { 'station-ids': [17] })`.
 */
export async function tariffsOfStations(ctx: HubContext, asker: number, payload: TariffsGetByStationIds) {
  const found = await ctx.storage.poi.stationsByIds(payload['station-ids'], asker);
  const tariffs = await ctx.storage.tariffs.forStations(found.map((s) => s.id));
  return {
    stations: found.map((s) => ({
      id: s.id,
      'is-free-charge': s.isFreeCharge,
      connectors: s.connectors.map((c) => ({
        id: c.id,
        tariff: ((tariffs.byEvseKey.get(c.evseKey) ?? tariffs.byStation.get(s.id)) as TariffData | undefined) ?? null,
      })),
    })),
  };
}
