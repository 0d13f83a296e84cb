/**
 * The dashboard's JSON API under /dashboard/api/ (docs/dashboard.md lists every route). Every
 * route but login needs a session cookie (401); changes need the header
 * `X-Requested-With: oioi-dashboard` (403), which a cross-site form or image cannot send.
 */
import type http from 'node:http';
import type { HubContext } from '../context.js';
import { ApiError, numberParam, readJson, sendJson } from './http.js';
import { mapQueryOf, mapView } from './map.js';
import { createKey, createPartner, editPartner, partnerView, revokeKeyById } from './partners.js';
import { DUMMY_HASH, verifyPassword } from './password.js';
import { cdrDetails, outboxHealth, retryOutbox, search, stationView } from './records.js';
import type { RecentChanges } from './recent.js';
import { clearedCookie, sessionCookie, type Sessions } from './session.js';
import type { EventStream } from './sse.js';
import type { TrafficLog } from './traffic.js';

export const CSRF_HEADER = 'x-requested-with';
export const CSRF_VALUE = 'oioi-dashboard';

export interface ApiDeps {
  ctx: HubContext;
  sessions: Sessions;
  traffic: TrafficLog;
  recent: RecentChanges;
  stream: EventStream;
  /** Cookies get `Secure` when the hub serves https. */
  secure: boolean;
}

type Route = (req: http.IncomingMessage, res: http.ServerResponse, params: string[], query: URLSearchParams) => Promise<unknown>;

/** A positive integer path segment, or 404 (an id that cannot exist). */
function idOf(raw: string, what: string): number {
  if (!/^[0-9]{1,15}$/.test(raw) || Number(raw) < 1) throw new ApiError(404, `no ${what} with id ${raw}`);
  return Number(raw);
}

/** Builds the API handler. Example: `const api = createApi(deps); await api(req, res, 'partners', query)`. */
export function createApi(d: ApiDeps): (req: http.IncomingMessage, res: http.ServerResponse, path: string, query: URLSearchParams) => Promise<void> {
  const { ctx, traffic } = d;
  let totals: { at: number; value: Awaited<ReturnType<typeof ctx.storage.dashboard.totals>> } | undefined;

  const routes: Array<{ method: string; pattern: RegExp; run: Route }> = [
    { method: 'POST', pattern: /^logout$/, run: async (req, res) => {
      await d.sessions.end(req);
      res.writeHead(204, { 'set-cookie': clearedCookie(d.secure), 'cache-control': 'no-store' });
      res.end();
    } },
    { method: 'GET', pattern: /^map$/, run: async (_q, _r, _p, query) => mapView(ctx.storage, mapQueryOf(query)) },
    { method: 'GET', pattern: /^stations\/([^/]+)$/, run: async (_q, _r, [id]) => stationView(ctx, d.recent, idOf(id!, 'station')) },
    { method: 'GET', pattern: /^partners$/, run: async () => ({ partners: await Promise.all((await ctx.storage.partners.list()).map((p) => partnerView(ctx, traffic, p))) }) },
    { method: 'POST', pattern: /^partners$/, run: async (req, res) => sendJson(res, 201, await createPartner(ctx, traffic, await readJson(req))) },
    { method: 'PATCH', pattern: /^partners\/([^/]+)$/, run: async (req, _r, [id]) => editPartner(ctx, traffic, idOf(id!, 'partner'), await readJson(req)) },
    { method: 'POST', pattern: /^partners\/([^/]+)\/keys$/, run: async (_q, res, [id]) => sendJson(res, 201, await createKey(ctx, idOf(id!, 'partner'))) },
    { method: 'POST', pattern: /^keys\/([^/]+)\/revoke$/, run: async (_q, _r, [keyId]) => revokeKeyById(ctx, decodeURIComponent(keyId!)) },
    { method: 'GET', pattern: /^traffic$/, run: async (_q, _r, _p, query) => {
      const code = numberParam(query, 'code', { min: 0, max: 999, required: false });
      const limit = numberParam(query, 'limit', { min: 1, max: 1000, required: false }) ?? 100;
      return {
        messages: traffic.messages({
          ...(query.get('call') ? { call: query.get('call')! } : {}),
          ...(query.get('partner') ? { partner: query.get('partner')! } : {}),
          ...(code !== undefined ? { code } : {}),
          limit: Math.floor(limit),
        }),
      };
    } },
    { method: 'GET', pattern: /^events$/, run: async (_q, res) => d.stream.attach(res) },
    { method: 'GET', pattern: /^search$/, run: async (_q, _r, _p, query) => search(ctx, query.get('q') ?? '') },
    { method: 'GET', pattern: /^cdrs\/([^/]+)$/, run: async (_q, _r, [id]) => cdrDetails(ctx, decodeURIComponent(id!)) },
    { method: 'GET', pattern: /^outbox$/, run: async () => outboxHealth(ctx) },
    { method: 'POST', pattern: /^outbox\/retry$/, run: async (req) => retryOutbox(ctx, await readJson(req)) },
    { method: 'GET', pattern: /^stats$/, run: async () => {
      const now = Date.now();
      // The totals are a few hundred cells' sums (migration 920), but reading them drains the map's
      // marks first: a 5-second-old figure is fine for a chart, and spares a busy hub that drain.
      if (!totals || now - totals.at > 5000) totals = { at: now, value: await ctx.storage.dashboard.totals() };
      const t = totals.value;
      return { ...traffic.series(), stationsByStatus: t.stationsByStatus, totals: { stations: t.stations, connectors: t.connectors, partners: t.partners } };
    } },
  ];

  async function login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readJson(req);
    const name = typeof body.name === 'string' ? body.name : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const operator = name ? await ctx.storage.operators.byName(name) : undefined;
    // A missing operator still pays for one scrypt, so names cannot be told apart by timing.
    const ok = await verifyPassword(password, operator?.passwordHash ?? DUMMY_HASH);
    if (!operator || !ok) throw new ApiError(401, 'wrong name or password');
    const token = await d.sessions.start(operator);
    sendJson(res, 200, { name: operator.name }, { 'set-cookie': sessionCookie(token, d.secure) });
  }

  return async (req, res, path, query) => {
    const method = req.method ?? 'GET';
    const mutating = method !== 'GET' && method !== 'HEAD';
    if (path === 'login') {
      if (method !== 'POST') throw new ApiError(405, 'use POST to log in');
      if (req.headers[CSRF_HEADER] !== CSRF_VALUE) throw new ApiError(403, `header X-Requested-With: ${CSRF_VALUE} is required`);
      return login(req, res);
    }
    const operator = await d.sessions.operatorOf(req);
    if (!operator) throw new ApiError(401, 'login required');
    // Checked after the session, so a stranger learns only "login required".
    if (mutating && req.headers[CSRF_HEADER] !== CSRF_VALUE) throw new ApiError(403, `header X-Requested-With: ${CSRF_VALUE} is required`);
    if (path === 'me') {
      if (method !== 'GET') throw new ApiError(405, 'use GET');
      return sendJson(res, 200, { name: operator.name });
    }
    let allowed = false;
    for (const r of routes) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      allowed = true;
      if (r.method !== method) continue;
      const out = await r.run(req, res, m.slice(1), query);
      if (!res.headersSent) sendJson(res, 200, out);
      return;
    }
    if (allowed) throw new ApiError(405, `${method} is not allowed on /dashboard/api/${path}`);
    throw new ApiError(404, `no API route /dashboard/api/${path}`);
  };
}
