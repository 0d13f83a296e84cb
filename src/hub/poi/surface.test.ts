/**
 * station-get-surface's answer written as JSON bytes (surfaceJson) against what JSON.stringify
 * makes of the answer objects the hub built before: the same text, byte for byte, with names to
 * escape (as strings and as UTF-8 bytes: Utf8Text), connectors out of id order, reservations, owner types and empty stations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConnectorStatusValue, SurfaceStationRecord } from '../../storage/poi.js';
import { textOf, Utf8Text } from '../../storage/utf8-text.js';
import { isoOf, statusSummary } from './format.js';
import { surfaceJson } from './surface.js';
import { seededRandom } from '../../demo/random.js';

/** A name as the SQLite index hands it on: UTF-8 bytes inside a larger array, between bytes that would need escaping. */
function asUtf8(name: string): Utf8Text {
  const bytes = Buffer.from(`"\\${name}\\"`, 'utf8');
  return new Utf8Text(bytes, 2, bytes.length - 2);
}

/** The answer objects as the hub built them, serialized. */
function asObjects(stations: SurfaceStationRecord[], reserved: Map<number, { end: string; own: boolean }>): string {
  return JSON.stringify(stations.map((s) => {
    const statuses: Record<string, ConnectorStatusValue> = {};
    let reservations: Record<string, { end: string; own: boolean }> | undefined;
    for (const c of s.connectors) {
      statuses[String(c.id)] = c.status;
      const r = reserved.get(c.id);
      if (r) (reservations ??= {})[String(c.id)] = r;
    }
    const out: Record<string, unknown> = {
      id: s.id, name: textOf(s.name), latitude: s.latitude, longitude: s.longitude,
      'dynamic-status-summary': statusSummary(s.connectors.map((c) => c.status)),
      'owner-type': s.ownerType, 'last-static-change': isoOf(s.staticChangedAt), 'connector-statuses': statuses,
    };
    if (reservations) out['connector-reservations'] = reservations;
    return out;
  }));
}

describe('surfaceJson', () => {
  it('should write what JSON.stringify wrote of the answer objects', () => {
    const rnd = seededRandom(9).next;
    const statuses: ConnectorStatusValue[] = ['Available', 'Occupied', 'Reserved', 'Offline', 'Unknown'];
    const names = ['Plain', 'Quote " and \\ backslash', 'Tab\tnew\nline', 'Ümlaut Straße 東京', '\u0001control', ''];
    for (let round = 0; round < 50; round++) {
      const reserved = new Map<number, { end: string; own: boolean }>();
      const stations: SurfaceStationRecord[] = Array.from({ length: Math.floor(rnd() * 12) }, (_, i) => {
        const ids = Array.from({ length: Math.floor(rnd() * 4) }, () => 1 + Math.floor(rnd() * 10_000));
        if (rnd() < 0.3) ids.reverse();
        const connectors = [...new Set(ids)].map((id) => ({ id, status: statuses[Math.floor(rnd() * 5)]! }));
        for (const c of connectors) if (rnd() < 0.2) reserved.set(c.id, { end: isoOf(1_700_000_000_000 + c.id), own: rnd() < 0.5 });
        return {
          id: round * 100 + i, name: rnd() < 0.5 ? names[i % names.length]! : asUtf8(names[i % names.length]!), latitude: -90 + rnd() * 180, longitude: i === 0 ? 13 : -180 + rnd() * 360,
          ownerType: rnd() < 0.3 ? 'hotel' : null, staticChangedAt: Math.floor(rnd() * 2e12), connectors,
        };
      });
      assert.equal(surfaceJson(stations, reserved).toString('utf8'), asObjects(stations, reserved));
    }
  });
});
