/**
 * station-get-surface (shared/protocol.md, "POI"): live stations in the box (edges included),
 * private ones only for their owner, filtered, at most `surfaceLimit`, nearest to the box centre
 * first, `hasMore` when more matched.
 */
import { OioiError } from '../../protocol/errors.js';
import type { StationGetSurface } from '../../protocol/messages/station.js';
import type { SurfaceQuery, SurfaceStationRecord } from '../../storage/poi.js';
import { ascii, JsonBytes } from '../../transport/server/json-bytes.js';
import { RawJson } from '../../transport/server/raw-json.js';
import type { HubContext } from '../context.js';
import { statusSummary, writeIsoOf } from './format.js';
import { viewsOf } from './reservation-view.js';

/** The answer: `stations` already JSON text (see stationsInBox). */
type SurfaceAnswer = { hasMore: boolean; stations: RawJson };

/** The storage question of a request; throws 230 when a corner is on the wrong side. */
export function surfaceQueryOf(payload: StationGetSurface, askerPartnerId: number, limit: number): SurfaceQuery {
  const { 'min-lat': minLat, 'max-lat': maxLat, 'min-long': minLon, 'max-long': maxLon } = payload;
  // A box across the antimeridian would need two queries; none of the spec's users need it, and a
  // swapped box is more likely a client bug than that: say so rather than answer nothing.
  if (minLat > maxLat) throw new OioiError(230, 'station-get-surface.min-lat: is greater than max-lat', { httpStatus: 400 });
  if (minLon > maxLon) throw new OioiError(230, 'station-get-surface.min-long: is greater than max-long', { httpStatus: 400 });
  const f = payload.filters ?? {};
  const q: SurfaceQuery = { minLat, maxLat, minLon, maxLon, askerPartnerId, limit };
  // Empty lists mean "no filter", like an absent one. `payable` does not narrow: every station of
  // the hub can be paid through the hub by every EMP/OEM partner (docs/protocol-decisions.md).
  if (f.excludes?.length) q.excludes = f.excludes;
  if (f['company-types']?.length) q.companyTypes = f['company-types'];
  if (f['connector-types']?.length) q.connectorTypes = f['connector-types'];
  if (f['connector-speeds-greater'] !== undefined) q.speedAtLeast = f['connector-speeds-greater'];
  if (f['connector-speeds-less'] !== undefined) q.speedAtMost = f['connector-speeds-less'];
  if (f['operator-ids']?.length) q.operatorIds = f['operator-ids'];
  return q;
}

/**
 * Answers one station-get-surface for the partner `asker`. The stations are written as JSON bytes
 * in one pass (RawJson, json-bytes.ts): building a hundred answer objects and serializing them
 * cost three times as much. The text is what JSON.stringify made of those objects, key order
 * included (an object lists integer-like keys in ascending order: connector ids are sorted here
 * likewise).
 * Example: `await stationsInBox(ctx, 5, { 'min-lat': 52, 'max-lat': 53, 'min-long': 13, 'max-long': 14 })`.
 */
export async function stationsInBox(ctx: HubContext, asker: number, payload: StationGetSurface): Promise<SurfaceAnswer> {
  // The stations and their connectors' reservations in one read.
  const { stations, hasMore, reservations } = await ctx.storage.poi.surface(surfaceQueryOf(payload, asker, ctx.config.surfaceLimit), ctx.now().getTime());
  const reserved = viewsOf(reservations ?? [], asker, payload.user);
  return { hasMore, stations: new RawJson(surfaceJson(stations, reserved)) };
}

const K = {
  open: ascii('{"id":'),
  name: ascii(',"name":'),
  latitude: ascii(',"latitude":'),
  longitude: ascii(',"longitude":'),
  summary: ascii(',"dynamic-status-summary":'),
  ownerType: ascii(',"owner-type":'),
  lastStaticChange: ascii(',"last-static-change":"'),
  statuses: ascii('","connector-statuses":{'),
  reservations: ascii(',"connector-reservations":{'),
  null: ascii('null'),
  idEnd: ascii('":'),
};
/** `"Available"` and the like, quoted. */
const quoted = new Map<string, Uint8Array>(['Available', 'Occupied', 'Reserved', 'Offline', 'Unknown'].map((w) => [w, ascii(`"${w}"`)]));
/** One writer for every answer: each answer is taken (copied) before the next one starts. */
const writer = new JsonBytes();

/**
 * The `stations` array of a surface answer as JSON (UTF-8 bytes). Example:
 * `surfaceJson([{ id: 1, name: 'A', latitude: 52.5, longitude: 13.4, ownerType: null, staticChangedAt: 0, connectors: [] }], new Map())`.
 */
export function surfaceJson(stations: SurfaceStationRecord[], reserved: Map<number, { end: string; own: boolean }>): Buffer {
  const w = writer.reset();
  w.char(0x5b); // [
  for (let i = 0; i < stations.length; i++) {
    const s = stations[i]!;
    if (i) w.char(0x2c);
    w.raw(K.open);
    w.int(s.id);
    w.raw(K.name);
    const name = s.name;
    if (typeof name === 'string') w.string(name);
    else w.utf8(name.bytes, name.start, name.end);
    w.raw(K.latitude);
    w.number(s.latitude);
    w.raw(K.longitude);
    w.number(s.longitude);
    w.raw(K.summary);
    const summary = statusSummary(s.connectors.map((c) => c.status));
    w.raw(summary === null ? K.null : quoted.get(summary)!);
    w.raw(K.ownerType);
    if (s.ownerType === null) w.raw(K.null);
    else w.string(s.ownerType);
    w.raw(K.lastStaticChange);
    writeIsoOf(w, s.staticChangedAt);
    w.raw(K.statuses);
    const connectors = inIdOrder(s.connectors);
    let reservations = false;
    for (let c = 0; c < connectors.length; c++) {
      const conn = connectors[c]!;
      if (c) w.char(0x2c);
      w.char(0x22);
      w.int(conn.id);
      w.raw(K.idEnd);
      // Statuses are one of five fixed words (the storage's type); anything else would be a bug, written safely.
      const word = quoted.get(conn.status);
      if (word) w.raw(word);
      else w.string(conn.status);
      if (reserved.size !== 0 && reserved.has(conn.id)) reservations = true;
    }
    w.char(0x7d); // }
    if (reservations) {
      w.raw(K.reservations);
      let first = true;
      for (const conn of connectors) {
        const r = reserved.get(conn.id);
        if (!r) continue;
        if (!first) w.char(0x2c);
        first = false;
        w.char(0x22);
        w.int(conn.id);
        w.raw(K.idEnd);
        w.asciiText(JSON.stringify(r));
      }
      w.char(0x7d);
    }
    w.char(0x7d);
  }
  w.char(0x5d); // ]
  return w.take();
}

/** Connectors by ascending id (they nearly always are: created in position order). */
function inIdOrder<T extends { id: number }>(connectors: T[]): T[] {
  for (let i = 1; i < connectors.length; i++) {
    if (connectors[i]!.id < connectors[i - 1]!.id) return [...connectors].sort((a, b) => a.id - b.id);
  }
  return connectors;
}
