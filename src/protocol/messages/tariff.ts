/**
 * tariffs-get-by-station-ids: the tariffs of at most ten stations, per connector
 * (docs/calls/tariffs_get_by_station_ids.rst). The tariff object is OCPI 2.1's, with its
 * snake_case names kept; enumerations are OCPI 2.1's.
 */
import Type, { type Static } from 'typebox';
import { defineCall } from '../registry-types.js';
import { DateTime } from './common.js';
import { Currency, HubId, Money, Nullable, Text, UserIdentifier, normalizeUserOf, successResponse } from './call-parts.js';
import { StationIds } from './station-get.js';

function Enum<const T extends readonly string[]>(values: T, what: string) {
  return Type.Enum(values, { errorMessage: `not ${what} (${values.join(', ')})` });
}

export const tariffDimensions = ['ENERGY', 'FLAT', 'PARKING_TIME', 'TIME'] as const;
export const daysOfWeek = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export const energySources = ['NUCLEAR', 'GENERAL_FOSSIL', 'COAL', 'GAS', 'GENERAL_GREEN', 'SOLAR', 'WIND', 'WATER'] as const;
export const environImpacts = ['NUCLEAR_WASTE', 'CARBON_DIOXIDE'] as const;

const ClockTime = Type.String({ pattern: '^[0-2][0-9]:[0-5][0-9]$', errorMessage: 'not a time of day (HH:MM)' });
const CalendarDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', errorMessage: 'not a date (YYYY-MM-DD)' });
const Amount = Type.Number({ minimum: 0 });

export const TariffRestrictions = Type.Object({
  start_time: Nullable(ClockTime),
  end_time: Nullable(ClockTime),
  start_date: Nullable(CalendarDate),
  end_date: Nullable(CalendarDate),
  min_kwh: Nullable(Amount),
  max_kwh: Nullable(Amount),
  min_power: Nullable(Amount),
  max_power: Nullable(Amount),
  min_duration: Nullable(Type.Integer({ minimum: 0 })),
  max_duration: Nullable(Type.Integer({ minimum: 0 })),
  day_of_week: Nullable(Type.Array(Enum(daysOfWeek, 'a day of the week'), { maxItems: 7 })),
});

export const PriceComponent = Type.Object({
  type: Enum(tariffDimensions, 'a tariff dimension'),
  // The spec's example writes prices as strings ("0.00"), OCPI as numbers: both are read.
  price: Type.Union([Money, Type.Number()], { errorMessage: 'not a price (a number or a decimal string)' }),
  step_size: Type.Integer({ minimum: 0 }),
});

export const TariffElement = Type.Object({
  restrictions: Nullable(TariffRestrictions),
  price_components: Type.Array(PriceComponent, { minItems: 1, maxItems: 100 }),
});

export const EnergyMix = Type.Object({
  is_green_energy: Type.Boolean(),
  energy_sources: Nullable(Type.Array(Type.Object({
    source: Enum(energySources, 'an energy source'),
    percentage: Type.Number({ minimum: 0, maximum: 100 }),
  }), { maxItems: 20 })),
  environ_impact: Nullable(Type.Array(Type.Object({
    source: Enum(environImpacts, 'an environmental impact'),
    amount: Amount,
  }), { maxItems: 20 })),
  supplier_name: Nullable(Text(255)),
  energy_product_name: Nullable(Text(255)),
});

export const Tariff = Type.Object({
  currency: Currency,
  tariff_alt_text: Nullable(Type.Array(Type.Object({ language: Text(8, 2), text: Text(4096) }), { maxItems: 50 })),
  tariff_alt_url: Nullable(Text(2048)),
  elements: Type.Array(TariffElement, { minItems: 1, maxItems: 100 }),
  energy_mix: Nullable(EnergyMix),
  last_updated: DateTime,
});

export const TariffStation = Type.Object({
  id: HubId,
  'is-free-charge': Type.Boolean(),
  connectors: Nullable(Type.Array(Type.Object({ id: HubId, tariff: Nullable(Tariff) }), { maxItems: 1000 })),
});

export const tariffsGetByStationIds = defineCall({
  name: 'tariffs-get-by-station-ids',
  roles: ['emp', 'oem'],
  request: Type.Object({
    user: Type.Optional(UserIdentifier),
    'station-ids': StationIds,
  }),
  response: successResponse({
    stations: Type.Optional(Type.Array(TariffStation, { maxItems: 1000 })),
  }, ['stations']),
  normalizeRequest: normalizeUserOf,
});

export const tariffCalls = { 'tariffs-get-by-station-ids': tariffsGetByStationIds } as const;

export type TariffsGetByStationIds = Static<typeof tariffsGetByStationIds.request>;
export type TariffsGetByStationIdsResponse = Static<typeof tariffsGetByStationIds.response>;
export type TariffData = Static<typeof Tariff>;
