/**
 * The simulated CPO's stations: deterministic from the seed, clustered around real city centres,
 * with the connector mixes a German CPO actually runs (AC Type2 poles, DC triple chargers,
 * high-power Combo parks).
 */
import type { StationConnectorData, StationData } from '../protocol/messages/station-post.js';
import { cities, type City } from './cities.js';
import type { Random } from './random.js';

/** The demo CPO's operator id: the first part of every EVSE ID it posts. */
export const DEMO_CPO_ID = 'DE*DMO';

export interface SimStation {
  city: City;
  data: StationData;
}

type ConnectorSpec = readonly [name: 'Type2' | 'Combo' | 'Chademo', kW: number];

interface Layout {
  site: readonly string[];
  connectors: readonly ConnectorSpec[];
  weight: number;
}

const layouts: readonly Layout[] = [
  { site: ['Parkhaus', 'Supermarkt', 'Bürohaus', 'Hotel'], connectors: [['Type2', 11], ['Type2', 11]], weight: 4 },
  { site: ['Parkhaus', 'Rathaus', 'Einkaufszentrum', 'Hotel'], connectors: [['Type2', 22], ['Type2', 22]], weight: 3 },
  { site: ['Schnellladepark', 'Autohof'], connectors: [['Combo', 150], ['Combo', 150], ['Combo', 150], ['Combo', 150]], weight: 1 },
  { site: ['Supermarkt', 'Autohaus', 'Einkaufszentrum'], connectors: [['Combo', 50], ['Chademo', 50], ['Type2', 22]], weight: 1.5 },
];

/** Monday through Saturday (cast for the same reason as connector names). */
const MON_TO_SAT = ['Mo', 'Sa'] as NonNullable<StationData['open-hour-notes']>[number]['days'];

const pad6 = (n: number) => String(n).padStart(6, '0');

/** EVSE ID of connector `k` (1-based) of station number `n`. Example: `demoEvseId(123, 1) === 'DE*DMO*E000123*1'`. */
export function demoEvseId(n: number, k: number): string {
  return `${DEMO_CPO_ID}*E${pad6(n)}*${k}`;
}

/** A position near the city centre: normal scatter of about 2.5 km, cut at three deviations. */
function scatter(r: Random, city: City): { latitude: number; longitude: number } {
  const clip = (x: number) => Math.max(-3, Math.min(3, x));
  // A degree of longitude is shorter than one of latitude by cos(latitude).
  const dLat = clip(r.normal()) * 0.022;
  const dLong = (clip(r.normal()) * 0.022) / Math.cos((city.lat * Math.PI) / 180);
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return { latitude: round(city.lat + dLat), longitude: round(city.long + dLong) };
}

function oneStation(r: Random, n: number, city: City): SimStation {
  const layout = r.weighted(layouts, layouts.map((l) => l.weight));
  const street = r.pick(city.streets);
  const site = r.pick(layout.site);
  const open24 = site === 'Schnellladepark' || site === 'Autohof' || r.chance(0.7);
  const data: StationData = {
    id: `DMO-${pad6(n)}`,
    name: `${site} ${street}`,
    description: `Demo station ${n} of the simulated CPO (oioi demo).`,
    ...scatter(r, city),
    address: {
      street,
      'street-number': String(r.int(1, 180)),
      city: city.name,
      zip: String(r.int(city.zip[0], city.zip[1])).padStart(5, '0'),
      country: 'DE',
    },
    contact: { phone: `+49 ${city.phone} ${r.int(1_000_000, 9_999_999)}`, web: 'https://demo.invalid/charging' },
    'cpo-id': DEMO_CPO_ID,
    'is-open-24': open24,
    ...(open24 ? {} : { 'open-hour-notes': [{ times: ['07:00', '22:00'], days: MON_TO_SAT }] }),
    // The cast only bridges the schema's literal union, which TypeScript cannot infer through .map.
    connectors: layout.connectors.map(([name, speed], k) => ({ id: demoEvseId(n, k + 1), name: name as StationConnectorData['name'], speed })),
    'is-reservable': layout.connectors[0]![0] === 'Type2',
    'is-green-power-available': r.chance(0.6),
    'is-roofed': site === 'Parkhaus',
    'total-parking': layout.connectors.length,
    deleted: false,
  };
  return { city, data };
}

/**
 * `count` stations, numbered from 1. Every city gets one before the weights decide the rest, so
 * even `--stations 12` has a station in Berlin for the printed examples.
 * Example: `generateStations(seededRandom(1), 300)[0].data.connectors[0].id === 'DE*DMO*E000001*1'`.
 */
export function generateStations(r: Random, count: number): SimStation[] {
  const out: SimStation[] = [];
  for (let i = 0; i < count; i++) {
    const city = i < cities.length ? cities[i]! : r.weighted(cities, cities.map((c) => c.weight));
    out.push(oneStation(r, i + 1, city));
  }
  return out;
}
