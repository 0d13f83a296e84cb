/**
 * The simulated OEM (a car maker's app backend, also an EMP with its own contracts): a few
 * drivers with EVCO IDs and RFID cards, and an endpoint that receives the CDRs of sessions it
 * started and answers the hub's online rfid-verify questions about its cards.
 */
import { makeEvcoId } from '../protocol/index.js';
import type { Handlers } from '../transport/server/index.js';
import type { Random } from './random.js';

/** The OEM's contract-id prefix: its EVCO IDs read `DE*OEM*…`. */
export const DEMO_OEM_PREFIX = 'DE*OEM';

export interface Driver { evcoId: string; uid: string }

/**
 * Three drivers with correct check digits and 7-byte MIFARE-style UIDs (NXP cards start with 04).
 * Example: `demoDrivers(seededRandom(1))[0].evcoId === 'DE*OEM*000001*…'`.
 */
export function demoDrivers(r: Random): Driver[] {
  return [1, 2, 3].map((i) => makeDriver(r, 'OEM', i));
}

/** Driver number `n` of the EMP `DE*<provider>`. Example: `makeDriver(r, 'HUB', 1).evcoId === 'DE*HUB*000001*…'`. */
export function makeDriver(r: Random, provider: string, n: number): Driver {
  const hex = (len: number) => Array.from({ length: len }, () => '0123456789ABCDEF'[r.int(0, 15)]).join('');
  return { evcoId: makeEvcoId('DE', provider, String(n).padStart(6, '0')), uid: `04${hex(12)}` };
}

/** The OEM endpoint's handlers; `received` counts CDRs so the demo can tell the outbox delivered. */
export function oemHandlers(drivers: Driver[], say: (line: string) => void): Handlers {
  const byUid = new Map(drivers.map((d) => [d.uid, d]));
  return {
    'session-post': (p) => {
      const cost = p['calculated-cost'] ? `, ${p['calculated-cost'].amount.toFixed(2)} ${p['calculated-cost'].currency}` : '';
      say(`oem: received CDR ${p['session-id']} on ${p['connector-id']} for ${p.user.identifier}: ${p['energy-consumed'] ?? '?'} kWh${cost}`);
      return {};
    },
    'rfid-verify': (p) => {
      const d = byUid.get(p.rfid);
      say(`oem: hub asked about card ${p.rfid}: ${d ? `yes, ${d.evcoId}` : 'unknown'}`);
      return d ? { 'evco-id': d.evcoId } : { result: { code: 191, message: 'EVCO ID not found.' } };
    },
  };
}
