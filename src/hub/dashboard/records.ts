/**
 * The dashboard's read views over storage: a station's details, the session/CDR search, a CDR
 * with its forwarding history, outbox health and the station totals of the stats page.
 */
import { evseKey, normalizeEvcoId, normalizeUid } from '../../protocol/index.js';
import type { CdrHit, SearchKeys } from '../../storage/dashboard.js';
import type { ConnectorStatusValue } from '../../storage/poi.js';
import type { HubContext } from '../context.js';
import { isoOf, statusSummary } from '../poi/format.js';
import { ApiError } from './http.js';
import type { RecentChanges } from './recent.js';

const SEARCH_LIMIT = 50;

/** The summary as the dashboard names it: station-get-surface's, `Unknown` where that is null. */
export function summaryOf(statuses: Iterable<ConnectorStatusValue>): ConnectorStatusValue {
  return statusSummary(statuses) ?? 'Unknown';
}

const isoOrNull = (ms: number | null | undefined): string | null => (ms === null || ms === undefined ? null : isoOf(ms));

/** `GET /stations/:id`. */
export async function stationView(ctx: HubContext, recent: RecentChanges, id: number) {
  const s = await ctx.storage.dashboard.station(id);
  if (!s) throw new ApiError(404, `no station with id ${id}`);
  const owner = ctx.auth.partner(s.ownerPartnerId);
  const address = s.data.address;
  return {
    id: s.id,
    name: s.name,
    lat: s.lat,
    lon: s.lon,
    deleted: s.deleted,
    address: address && typeof address === 'object' ? address : null,
    owner: { partnerId: s.ownerPartnerId, name: owner?.name ?? null, partnerIdentifier: s.ownerIdentifier },
    summary: summaryOf(s.connectors.map((c) => c.status)),
    connectors: s.connectors.map((c) => ({ id: c.id, evseId: c.evseId, type: c.type, speed: c.speed, status: c.status, statusChangedAt: isoOrNull(c.statusChangedAt) })),
    recentChanges: recent.of(s.ownerIdentifier, s.connectors.map((c) => c.evseId)),
  };
}

/**
 * Every form of an operator's query the hub compares on: EVSE key, EVCO ID / UID keys, session id.
 * Example: `searchKeysOf('de*8ps*e1')` has evseKey `DE8PSE1`.
 */
export function searchKeysOf(q: string): SearchKeys {
  const text = q.trim();
  if (!text) throw new ApiError(400, 'q is required');
  if (text.length > 255) throw new ApiError(400, 'q is longer than 255 characters');
  const stripped = text.toUpperCase().replace(/[*-]/g, '');
  const uid = normalizeUid(text);
  const evco = normalizeEvcoId(text);
  return {
    evseKey: evseKey(text),
    userKeys: [...new Set([stripped, ...(uid ? [uid] : []), ...(evco ? [evco.replace(/\*/g, '')] : [])])],
    canonicalUsers: [...new Set([...(evco ? [evco] : []), ...(uid ? [uid] : []), text.toUpperCase()])],
    sessionId: text,
    limit: SEARCH_LIMIT,
  };
}

/** A CDR as the dashboard lists it. */
export function cdrView(c: CdrHit) {
  const cost = c.payload['calculated-cost'] as { amount?: unknown; currency?: unknown } | undefined;
  return {
    // The CPO's session id is unique hub-wide (session-post is idempotent on it): it is the CDR's id.
    id: c.sessionId,
    sessionId: c.sessionId,
    evseId: c.evseId,
    evcoId: c.userType === 'evco-id' ? c.userId : null,
    rfid: c.userType === 'rfid' ? c.userId : null,
    startedAt: isoOrNull(c.startedAt),
    endedAt: isoOrNull(c.stoppedAt),
    energyKwh: c.energy,
    price: cost && typeof cost.amount === 'number' ? { amount: cost.amount, currency: String(cost.currency ?? '') } : null,
    cpoPartnerId: c.cpoPartnerId,
  };
}

/** `GET /search?q=`. */
export async function search(ctx: HubContext, q: string) {
  const keys = searchKeysOf(q);
  const [sessions, cdrs] = await Promise.all([ctx.storage.dashboard.searchSessions(keys), ctx.storage.dashboard.searchCdrs(keys)]);
  return {
    sessions: sessions.map((s) => ({
      id: s.id,
      evseId: s.evseId,
      userType: s.userType,
      userId: s.userId,
      partnerId: s.partnerId,
      cpoSessionId: s.cpoSessionId,
      state: s.state,
      startedAt: isoOf(s.startedAt),
      stoppedAt: isoOrNull(s.stoppedAt),
    })),
    cdrs: cdrs.map(cdrView),
  };
}

/** `GET /cdrs/:id` (the id is the session id). */
export async function cdrDetails(ctx: HubContext, id: string) {
  const c = await ctx.storage.dashboard.cdr(id);
  if (!c) throw new ApiError(404, `no CDR with id ${id}`);
  const forwarding = await ctx.storage.dashboard.forwarding(c.sessionId);
  return {
    cdr: { ...cdrView(c), payload: c.raw },
    forwarding: forwarding.map((f) => ({
      outboxId: f.outboxId,
      partnerId: f.partnerId,
      partnerName: ctx.auth.partner(f.partnerId)?.name ?? null,
      state: f.state,
      attempts: f.attempts,
      lastCode: f.lastCode,
      lastError: f.lastError,
      createdAt: isoOf(f.createdAt),
      deliveredAt: isoOrNull(f.deliveredAt),
    })),
  };
}

/** `GET /outbox`: entries per partner and state (superseded ones are not shown). */
export async function outboxHealth(ctx: HubContext) {
  const byPartner = new Map<number, { partnerId: number; partnerName: string | null; pending: number; failing: number; dead: number; delivered: number }>();
  for (const c of await ctx.storage.outbox.counts()) {
    if (c.state === 'superseded') continue;
    let row = byPartner.get(c.partnerId);
    if (!row) byPartner.set(c.partnerId, (row = { partnerId: c.partnerId, partnerName: ctx.auth.partner(c.partnerId)?.name ?? null, pending: 0, failing: 0, dead: 0, delivered: 0 }));
    row[c.state] += c.count;
  }
  return { partners: [...byPartner.values()] };
}

/** `POST /outbox/retry`: failing and dead entries (of one partner, or all) become due now. */
export async function retryOutbox(ctx: HubContext, body: Record<string, unknown>) {
  const partnerId = body.partnerId;
  if (partnerId !== undefined && !(Number.isInteger(partnerId) && (partnerId as number) > 0)) throw new ApiError(400, 'partnerId must be a positive integer');
  if (partnerId !== undefined && !(await ctx.storage.partners.get(partnerId as number))) throw new ApiError(404, `no partner with id ${partnerId}`);
  const filter = partnerId === undefined ? {} : { partnerId: partnerId as number };
  const ids: number[] = [];
  for (const state of ['dead', 'failing'] as const) {
    for (const e of await ctx.storage.outbox.list({ ...filter, state, limit: 100_000 })) ids.push(e.id);
  }
  return { retried: ids.length ? await ctx.storage.outbox.retry(ids, ctx.now().getTime()) : 0 };
}
