/**
 * Builders for the roaming end-to-end suites (sessions, reservations, CDRs): a station-post body,
 * a CDR, a connector's hub id, and waiting until the hub sees partners added by the CLI.
 * Example: `await send(hub.url, cpo.apiKey, aStationPost(cpo.partnerIdentifier, 'S1', ['DE*CPO*E1']))`.
 */
import Database from 'better-sqlite3';
import { send } from './http.js';

/** A station-post with one Type2 connector per EVSE ID, at (lat, lon). */
export function aStationPost(partnerIdentifier: string, stationId: string, evseIds: string[], lat = 52.5, lon = 13.4) {
  return {
    'station-post': {
      station: {
        id: stationId,
        name: `Station ${stationId}`,
        latitude: lat,
        longitude: lon,
        address: { street: 'Torstr.', 'street-number': '1', city: 'Berlin', zip: '10119', country: 'DE' },
        contact: { phone: '+49 30 1234567' },
        'cpo-id': 'DE*CPO',
        'is-open-24': true,
        connectors: evseIds.map((id) => ({ id, name: 'Type2', speed: 22 })),
        'is-reservable': true,
        'is-free-charge': false,
        'is-private': false,
      },
      'partner-identifier': partnerIdentifier,
    },
  };
}

/** A CDR (session-post payload wrapped in its call key); `over` replaces top-level fields. */
export function aCdr(partnerIdentifier: string, sessionId: string, evseId: string, user: { 'identifier-type': string; identifier: string }, over: Record<string, unknown> = {}) {
  return {
    'session-post': {
      user,
      'session-id': sessionId,
      'connector-id': evseId,
      'session-interval': { start: '2024-05-01T10:00:00+00:00', stop: '2024-05-01T11:00:00+00:00' },
      'charging-interval': { start: '2024-05-01T10:01:00+00:00', stop: '2024-05-01T10:58:00+00:00' },
      'energy-consumed': 12.5,
      'calculated-cost': { amount: 6.25, currency: 'EUR' },
      'partner-identifier': partnerIdentifier,
      ...over,
    },
  };
}

/** The hub's integer id of a connector, read from the hub's SQLite file (read-only). */
export function hubConnectorId(db: string, evseId: string): number {
  const conn = new Database(db.replace(/^sqlite:/, ''), { readonly: true, fileMustExist: true });
  try {
    return conn.prepare('SELECT id FROM connectors WHERE evse_key = ?').pluck().get(evseId.toUpperCase().replace(/\*/g, '')) as number;
  } finally {
    conn.close();
  }
}

/** Waits until every key is accepted (the hub reloads partners added by the CLI within a second). */
export async function untilKnown(url: string, keys: string[], ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  for (const key of keys) {
    while ((await send(url, key, { 'api-minimum-version-number': {} })).status !== 200) {
      if (Date.now() > end) throw new Error('the hub did not learn the new partners in time');
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Polls until `check` passes. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, ms = 8000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
