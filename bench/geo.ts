/**
 * Where the benchmark's stations stand: clustered like real charging networks, most of them in and
 * around cities (weighted by population), the rest spread over the countryside and motorways.
 */
import { unitAt } from './random.js';

/** A city: centre, population in millions (the weight) and how far its stations spread (degrees). */
export interface City {
  name: string;
  lat: number;
  lon: number;
  pop: number;
}

/** Larger European cities; population in millions of the metropolitan area, roughly. */
export const cities: readonly City[] = [
  { name: 'Paris', lat: 48.857, lon: 2.352, pop: 11 },
  { name: 'London', lat: 51.507, lon: -0.128, pop: 9.5 },
  { name: 'Madrid', lat: 40.417, lon: -3.704, pop: 6.7 },
  { name: 'Barcelona', lat: 41.385, lon: 2.173, pop: 5.6 },
  { name: 'Berlin', lat: 52.52, lon: 13.405, pop: 4.5 },
  { name: 'Milan', lat: 45.464, lon: 9.19, pop: 4.3 },
  { name: 'Rome', lat: 41.903, lon: 12.496, pop: 4.2 },
  { name: 'Athens', lat: 37.984, lon: 23.728, pop: 3.6 },
  { name: 'Ruhr', lat: 51.455, lon: 7.011, pop: 5 },
  { name: 'Hamburg', lat: 53.551, lon: 9.994, pop: 2.6 },
  { name: 'Munich', lat: 48.135, lon: 11.582, pop: 2.9 },
  { name: 'Warsaw', lat: 52.23, lon: 21.012, pop: 3.1 },
  { name: 'Vienna', lat: 48.208, lon: 16.373, pop: 2.9 },
  { name: 'Budapest', lat: 47.498, lon: 19.04, pop: 3 },
  { name: 'Lisbon', lat: 38.722, lon: -9.139, pop: 2.9 },
  { name: 'Manchester', lat: 53.481, lon: -2.242, pop: 2.8 },
  { name: 'Birmingham', lat: 52.486, lon: -1.89, pop: 2.6 },
  { name: 'Brussels', lat: 50.85, lon: 4.352, pop: 2.1 },
  { name: 'Amsterdam', lat: 52.368, lon: 4.904, pop: 2.5 },
  { name: 'Rotterdam', lat: 51.924, lon: 4.478, pop: 1.8 },
  { name: 'Stockholm', lat: 59.329, lon: 18.069, pop: 2.4 },
  { name: 'Copenhagen', lat: 55.676, lon: 12.568, pop: 2.1 },
  { name: 'Oslo', lat: 59.914, lon: 10.752, pop: 1.6 },
  { name: 'Frankfurt', lat: 50.11, lon: 8.682, pop: 2.3 },
  { name: 'Cologne', lat: 50.938, lon: 6.96, pop: 2.1 },
  { name: 'Stuttgart', lat: 48.776, lon: 9.183, pop: 2.7 },
  { name: 'Lyon', lat: 45.764, lon: 4.836, pop: 2.3 },
  { name: 'Marseille', lat: 43.296, lon: 5.37, pop: 1.9 },
  { name: 'Naples', lat: 40.852, lon: 14.268, pop: 3 },
  { name: 'Turin', lat: 45.07, lon: 7.687, pop: 1.7 },
  { name: 'Prague', lat: 50.076, lon: 14.438, pop: 2.2 },
  { name: 'Zurich', lat: 47.377, lon: 8.541, pop: 1.4 },
  { name: 'Dublin', lat: 53.35, lon: -6.26, pop: 1.4 },
  { name: 'Helsinki', lat: 60.17, lon: 24.938, pop: 1.5 },
  { name: 'Valencia', lat: 39.47, lon: -0.376, pop: 1.6 },
  { name: 'Seville', lat: 37.389, lon: -5.984, pop: 1.5 },
  { name: 'Porto', lat: 41.158, lon: -8.629, pop: 1.7 },
  { name: 'Bucharest', lat: 44.427, lon: 26.103, pop: 2.3 },
  { name: 'Sofia', lat: 42.698, lon: 23.322, pop: 1.7 },
  { name: 'Krakow', lat: 50.065, lon: 19.945, pop: 1.5 },
  { name: 'Gothenburg', lat: 57.709, lon: 11.975, pop: 1.1 },
  { name: 'Antwerp', lat: 51.219, lon: 4.402, pop: 1.2 },
  { name: 'Dusseldorf', lat: 51.228, lon: 6.773, pop: 1.5 },
  { name: 'Leeds', lat: 53.801, lon: -1.549, pop: 1.9 },
  { name: 'Glasgow', lat: 55.864, lon: -4.252, pop: 1.8 },
  { name: 'Toulouse', lat: 43.605, lon: 1.444, pop: 1.4 },
  { name: 'Lille', lat: 50.629, lon: 3.057, pop: 1.2 },
  { name: 'Bordeaux', lat: 44.838, lon: -0.579, pop: 1.3 },
  { name: 'Nice', lat: 43.71, lon: 7.262, pop: 1 },
  { name: 'Nuremberg', lat: 49.452, lon: 11.077, pop: 1.3 },
  { name: 'Hanover', lat: 52.376, lon: 9.732, pop: 1.2 },
  { name: 'Bologna', lat: 44.494, lon: 11.343, pop: 1 },
  { name: 'Florence', lat: 43.77, lon: 11.256, pop: 1 },
  { name: 'Utrecht', lat: 52.091, lon: 5.122, pop: 0.9 },
  { name: 'Eindhoven', lat: 51.441, lon: 5.47, pop: 0.8 },
  { name: 'Bratislava', lat: 48.149, lon: 17.107, pop: 0.7 },
  { name: 'Ljubljana', lat: 46.056, lon: 14.506, pop: 0.5 },
  { name: 'Zagreb', lat: 45.815, lon: 15.982, pop: 1.1 },
  { name: 'Riga', lat: 56.949, lon: 24.105, pop: 1 },
  { name: 'Vilnius', lat: 54.687, lon: 25.28, pop: 0.8 },
  { name: 'Tallinn', lat: 59.437, lon: 24.754, pop: 0.6 },
  { name: 'Geneva', lat: 46.204, lon: 6.143, pop: 0.6 },
  { name: 'Luxembourg', lat: 49.611, lon: 6.13, pop: 0.6 },
];

/** The land box the countryside stations fall in (most of the EU, Norway, UK, Switzerland). */
const EUROPE = { minLat: 36, maxLat: 64, minLon: -9.5, maxLon: 28 };
/** Share of stations in and around cities; the rest is countryside and motorway. */
const URBAN_SHARE = 0.8;

const cumulative: number[] = [];
{
  let sum = 0;
  for (const c of cities) cumulative.push((sum += c.pop));
  for (let i = 0; i < cumulative.length; i++) cumulative[i]! /= sum;
}

/** The city of a uniform number in [0,1), weighted by population. */
export function cityOf(u: number): City {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return cities[lo]!;
}

/** A normal deviate from two uniforms (Box-Muller). */
function gaussian(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** How far a city's stations spread, in degrees of latitude (bigger cities sprawl more). */
export function spreadOf(city: City): number {
  return 0.04 + 0.025 * Math.sqrt(city.pop);
}

/**
 * The position of station `i` (deterministic). Example: `positionAt(7, 42)` -> `{ lat, lon }`.
 */
export function positionAt(i: number, seed: number): { lat: number; lon: number } {
  const u = (k: number) => unitAt(i * 8 + k, seed);
  if (u(0) < URBAN_SHARE) {
    const city = cityOf(u(1));
    const s = spreadOf(city);
    const lat = city.lat + s * gaussian(u(2), u(3));
    const lon = city.lon + (s * gaussian(u(4), u(5))) / Math.cos((city.lat * Math.PI) / 180);
    return { lat: round6(lat), lon: round6(lon) };
  }
  return { lat: round6(EUROPE.minLat + u(2) * (EUROPE.maxLat - EUROPE.minLat)), lon: round6(EUROPE.minLon + u(3) * (EUROPE.maxLon - EUROPE.minLon)) };
}

/**
 * A city-sized box (about 10 x 10 km, what a phone map shows of a city) around a point near a
 * population-weighted city centre. Example: `cityBoxAt(3, 42).minLat`.
 */
export function cityBoxAt(i: number, seed: number): { minLat: number; maxLat: number; minLon: number; maxLon: number } {
  const u = (k: number) => unitAt(i * 8 + k, seed);
  const city = cityOf(u(0));
  const s = spreadOf(city);
  const lat = city.lat + s * gaussian(u(1), u(2));
  const cos = Math.cos((city.lat * Math.PI) / 180);
  const lon = city.lon + (s * gaussian(u(3), u(4))) / cos;
  const halfLat = 0.045;
  const halfLon = 0.045 / cos;
  return { minLat: round6(lat - halfLat), maxLat: round6(lat + halfLat), minLon: round6(lon - halfLon), maxLon: round6(lon + halfLon) };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
