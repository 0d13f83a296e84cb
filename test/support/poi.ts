/**
 * Shared set-up of the POI end-to-end suites: a real hub process (surface limit 3) with two CPOs
 * and an OEM added through the real CLI, and builders of the POI messages.
 */
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess, type TestPartner } from './hub-process.js';
import { send } from './http.js';
import type { Engine } from './engines.js';
import { parseResponse, type CallName } from '../../src/protocol/index.js';

let seq = 0;
interface StationOpts { id?: string; lat: number; lon: number; evse?: string[]; name?: string; speed?: number; type?: string; extra?: Record<string, unknown> }

/** A valid station-post body. */
export function aStationPost(partner: TestPartner, o: StationOpts) {
  const n = ++seq;
  const evse = o.evse ?? [`DE*8PS*E${n}01`];
  return {
    'station-post': {
      station: {
        id: o.id ?? `station-${n}`,
        name: o.name ?? `Station ${n}`,
        latitude: o.lat,
        longitude: o.lon,
        address: { street: 'Torgauer Str.', 'street-number': 12, city: 'Berlin', zip: '10829', country: 'DE' },
        contact: { phone: '+49 30 123', website: 'https://example.com' },
        'cpo-id': 'DE*8PS',
        'is-open-24': true,
        connectors: evse.map((id) => ({ id, name: o.type ?? 'Type2', speed: o.speed ?? 22 })),
        ...o.extra,
      },
      'partner-identifier': partner.partnerIdentifier,
    },
  };
}

export const status = (p: TestPartner, evse: string, value: string) => ({ 'connector-post-status': { 'connector-id': evse, status: value, 'partner-identifier': p.partnerIdentifier } });
export const surface = (box: [number, number, number, number], filters?: Record<string, unknown>, user?: unknown) => ({
  'station-get-surface': { 'min-lat': box[0], 'max-lat': box[1], 'min-long': box[2], 'max-long': box[3], ...(filters ? { filters } : {}), ...(user ? { user } : {}) },
});
/** A box of +-d degrees around a point. */
export const around = (lat: number, lon: number, d = 0.5): [number, number, number, number] => [lat - d, lat + d, lon - d, lon + d];

export interface PoiHub {
  hub: HubProcess;
  /** cpo and oem: owns stations and may look at them (its private ones too). */
  cpoA: TestPartner;
  cpoB: TestPartner;
  oem: TestPartner;
  /** Sends a call; every success answer must also pass the call's response schema (what SDK clients check). */
  post(p: TestPartner, body: Record<string, unknown>): Promise<{ status: number; body: any }>;
  /** The first station `asker` sees at a point (hub ids are learnt only through look-ups). */
  stationAt(lat: number, lon: number, asker?: TestPartner): Promise<any>;
  byIds(ids: number[], asker?: TestPartner): Promise<any>;
}

/** Starts the hub and its partners. Example: `const t = await startPoiHub(); await t.post(t.cpoA, aStationPost(t.cpoA, { lat: 1, lon: 1 }))`. */
export async function startPoiHub({ engine }: { engine?: Engine } = {}): Promise<PoiHub> {
  const hub = await startHubProcess({ args: ['--surface-limit', '3'], ...(engine ? { engine } : {}) });
  const [cpoA, cpoB, oem] = await Promise.all([
    hub.addPartner({ name: 'Stadtwerke A', roles: 'cpo,oem' }),
    hub.addPartner({ name: 'Charge B', roles: 'cpo' }),
    hub.addPartner({ name: 'Car OEM', roles: 'oem' }),
  ]);
  // The hub picks up partners added by the CLI within a second: wait until every key works.
  for (const p of [cpoA!, cpoB!, oem!]) {
    for (let i = 0; (await send(hub.url, p.apiKey, { 'api-minimum-version-number': {} })).status !== 200; i++) {
      if (i > 100) throw new Error(`key of ${p.name} not accepted`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  async function post(p: TestPartner, body: Record<string, unknown>) {
    const r = await send(hub.url, p.apiKey, body);
    if (r.body?.result?.code === 0) parseResponse(Object.keys(body)[0] as CallName, r.body);
    return r;
  }
  async function stationAt(lat: number, lon: number, asker = oem!) {
    const r = await post(asker, surface([lat, lat, lon, lon]));
    assert.equal(r.body.result.code, 0, JSON.stringify(r.body));
    return r.body.stations[0];
  }
  const byIds = async (ids: number[], asker = oem!) => (await post(asker, { 'station-get-by-ids': { 'station-ids': ids } })).body;
  return { hub, cpoA: cpoA!, cpoB: cpoB!, oem: oem!, post, stationAt, byIds };
}
