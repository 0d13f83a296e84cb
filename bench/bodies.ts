/**
 * The request bodies of each scenario, built by index: request `i` of a run always means the same
 * connector, card, session or box, and the data loader uses the same names. A plan is plain JSON so
 * it can travel to the load generator process.
 */
import { makeEvcoId } from '../src/protocol/identifiers/evco-id.js';
import { cityBoxAt, positionAt } from './geo.js';
import { pickAt, unitAt } from './random.js';

export type BodyPlan =
  /** connector-post-status on `connectors` EVSE IDs of one CPO, random order. */
  | { kind: 'status'; partnerIdentifier: string; operator: string; connectors: number; seed: number }
  /** rfid-verify of UIDs taken at random from the `uids` whitelisted ones. */
  | { kind: 'verify'; uids: number; seed: number }
  /** session-post of a new session per request (ids from `first` on), users of the EMP `evcoProvider`. */
  | { kind: 'cdr'; partnerIdentifier: string; operator: string; connectors: number; evcoProvider: string; run: string; seed: number }
  /** station-post of station `i` (two connectors each) of one CPO. */
  | { kind: 'station'; partnerIdentifier: string; operator: string; run: string; seed: number }
  /** station-get-surface of a city-sized box. */
  | { kind: 'surface'; seed: number };

/** The EVSE ID of connector `i` of an operator. Example: `evseIdOf('B1X', 7)` -> `DE*B1X*E7`. */
export function evseIdOf(operator: string, i: number): string {
  return `DE*${operator}*E${i}`;
}

/** The UID of card `i`: 14 hex characters like a MIFARE DESFire 7-byte UID. Example: `uidOf(1)` -> `04000000000001`. */
export function uidOf(i: number): string {
  return '04' + i.toString(16).toUpperCase().padStart(12, '0');
}

const statuses = ['Available', 'Available', 'Available', 'Available', 'Available', 'Occupied', 'Occupied', 'Occupied', 'Occupied', 'Offline'] as const;

/** The CPO's station `i` of a station-post, as the CPO would send it (two connectors). */
export function stationOf(plan: { operator: string; run: string; seed: number }, i: number): Record<string, unknown> {
  const { lat, lon } = positionAt(i, plan.seed);
  const fast = unitAt(i, plan.seed + 1) < 0.3;
  return {
    id: `ST-${plan.run}-${i}`,
    name: `Charging point ${i}`,
    latitude: lat,
    longitude: lon,
    address: { street: 'Hauptstrasse', 'street-number': String(1 + (i % 200)), city: 'Musterstadt', zip: String(10000 + (i % 89999)), country: 'DE' },
    contact: { phone: '+49 30 1234567', web: 'https://example.com' },
    'cpo-id': `DE*${plan.operator}`,
    'is-open-24': true,
    connectors: [
      { id: evseIdOf(plan.operator, 2 * i), name: fast ? 'Combo' : 'Type2', speed: fast ? 150 : 22 },
      { id: evseIdOf(plan.operator, 2 * i + 1), name: fast ? 'Chademo' : 'Type2', speed: fast ? 50 : 22 },
    ],
    'is-reservable': false,
    'is-free-charge': false,
    'is-private': false,
  };
}

/**
 * Builds bodies of a plan. Example: `const next = bodyMaker(plan); next(0)` -> a JSON string.
 */
export function bodyMaker(plan: BodyPlan): (i: number) => string {
  switch (plan.kind) {
    case 'status': {
      const pi = JSON.stringify(plan.partnerIdentifier);
      return (i) =>
        `{"connector-post-status":{"connector-id":"${evseIdOf(plan.operator, pickAt(i, plan.seed, plan.connectors))}","status":"${statuses[pickAt(i, plan.seed + 1, statuses.length)]}","partner-identifier":${pi}}}`;
    }
    case 'verify':
      return (i) => `{"rfid-verify":{"rfid":"${uidOf(pickAt(i, plan.seed, plan.uids))}"}}`;
    case 'cdr': {
      // A pool of drivers with valid contract ids, so the load generator does not compute check digits per request.
      const drivers = Array.from({ length: 4096 }, (_, k) => makeEvcoId('DE', plan.evcoProvider, k.toString(36).toUpperCase().padStart(6, '0')));
      return (i) => {
        const start = Date.UTC(2026, 0, 1) + (i % 1_000_000) * 60_000;
        const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19) + '+00:00';
        const kwh = Math.round(unitAt(i, plan.seed) * 60_000) / 1000;
        return JSON.stringify({
          'session-post': {
            user: { 'identifier-type': 'evco-id', identifier: drivers[i & 4095] },
            'session-id': `${plan.run}-${i}`,
            'connector-id': evseIdOf(plan.operator, pickAt(i, plan.seed, plan.connectors)),
            'session-interval': { start: iso(start), stop: iso(start + 3_600_000) },
            'charging-interval': { start: iso(start + 60_000), stop: iso(start + 3_480_000) },
            'energy-consumed': kwh,
            'calculated-cost': { amount: Math.round(kwh * 45) / 100, currency: 'EUR' },
            'partner-identifier': plan.partnerIdentifier,
          },
        });
      };
    }
    case 'station': {
      return (i) => JSON.stringify({ 'station-post': { station: stationOf(plan, i), 'partner-identifier': plan.partnerIdentifier } });
    }
    case 'surface':
      return (i) => {
        const b = cityBoxAt(i, plan.seed);
        return `{"station-get-surface":{"min-lat":${b.minLat},"max-lat":${b.maxLat},"min-long":${b.minLon},"max-long":${b.maxLon}}}`;
      };
  }
}
