/**
 * station-get-by-ids (shared/protocol.md, "POI"): details of at most ten live stations the asker
 * may see; unknown, deleted and other partners' private ids are simply absent. Every CPO partner
 * is a company: id = its hub partner id, name = its partner name.
 */
import type { CompanyData, StationGetByIds } from '../../protocol/messages/station.js';
import type { StationRecord } from '../../storage/poi.js';
import type { HubContext } from '../context.js';
import { isoOf, speedText, statusSummary } from './format.js';
import { reservationViews } from './reservation-view.js';

type Posted = Record<string, any>;

/**
 * One station of the answer. Built as a plain record: the schema's literal unions do not infer as
 * TypeScript unions in every typebox version; the server checks nothing on answers anyway.
 */
export type StationDetail = Record<string, unknown> & { id: number };

function orNull<T>(v: T | undefined): T | null {
  return v === undefined ? null : v;
}

/** The number of distinct EVSEs: the parking spots a station surely has when the CPO gave none. */
function evseCount(s: StationRecord): number {
  return new Set(s.connectors.map((c) => c.evseKey)).size;
}

function detailOf(s: StationRecord, reserved: Map<number, { end: string; own: boolean }>): StationDetail {
  const d = s.data as Posted;
  const changes = s.connectors.map((c) => c.statusChangedAt).filter((t): t is number => t !== null);
  const address = d.address ?? {};
  const contact = d.contact ?? {};
  return {
    id: s.id,
    address: { street: orNull(address.street), 'street-number': orNull(address['street-number']), city: orNull(address.city), zip: orNull(address.zip), country: orNull(address.country) },
    contact: { email: orNull(contact.email), web: orNull(contact.web), phone: orNull(contact.phone), fax: orNull(contact.fax) },
    'operator-company-id': s.ownerPartnerId,
    'operator-logo': null,
    'floor-level': orNull(d['floor-level']),
    'is-free-charge': s.isFreeCharge,
    'last-static-change': isoOf(s.staticChangedAt),
    'last-dynamic-change': changes.length ? isoOf(Math.max(...changes)) : null,
    name: s.name,
    description: orNull(d.description),
    latitude: s.latitude,
    longitude: s.longitude,
    'open-hour-notes': orNull(d['open-hour-notes']),
    'total-parking': d['total-parking'] ?? evseCount(s),
    notes: orNull(d.notes),
    'is-green-power-available': d['is-green-power-available'] === true,
    'is-plugin-charge': d['is-plugin-charge'] === true,
    'is-roofed': d['is-roofed'] === true,
    'is-reservable': d['is-reservable'] === true,
    'has-dynamic-info': changes.length > 0,
    'is-open-24': d['is-open-24'] === true,
    'dynamic-status-summary': statusSummary(s.connectors.map((c) => c.status)),
    // Accepted after schema and ownership checks; the hub does no manual curation beyond that.
    'is-validated': true,
    'is-private': s.isPrivate,
    // The posting CPO is the owner unless the hub learns otherwise (no field for it in station-post).
    'owner-company-id': s.ownerPartnerId,
    'service-providers': null,
    connectors: s.connectors.map((c) => ({
      id: c.id,
      status: c.status,
      'last-change': c.statusChangedAt === null ? null : isoOf(c.statusChangedAt),
      name: c.type,
      speed: speedText(c.speed),
      mode: null,
      'external-id': c.evseId,
      prices: null,
      reservation: reserved.get(c.id) ?? null,
    })),
  };
}

/** The company of a CPO partner; unknown fields are null. */
function companyOf(ctx: HubContext, partnerId: number): CompanyData {
  const p = ctx.auth.partner(partnerId);
  return { id: partnerId, name: p?.name ?? `partner ${partnerId}`, contact: null, address: null, description: null, type: null };
}

/**
 * Answers one station-get-by-ids for the partner `asker`.
 * Example: `await stationsByIds(ctx, 5, { 'station-ids': [17, 18] })` -> `{ stations: [...], companies: [...] }`.
 */
export async function stationsByIds(ctx: HubContext, asker: number, payload: StationGetByIds): Promise<{ stations: StationDetail[]; companies: CompanyData[] }> {
  const found = await ctx.storage.poi.stationsByIds(payload['station-ids'], asker);
  const reserved = await reservationViews(ctx, found.flatMap((s) => s.connectors.map((c) => c.id)), asker, payload.user);
  const companyIds = [...new Set(found.map((s) => s.ownerPartnerId))];
  return { stations: found.map((s) => detailOf(s, reserved)), companies: companyIds.map((id) => companyOf(ctx, id)) };
}
