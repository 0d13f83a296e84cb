/**
 * The operator dashboard (issue 9), served by the hub's own HTTP server under /dashboard/: the
 * JSON API under /dashboard/api/ and the built front end around it. Plugged into the OIOI server
 * as its `fallback` for paths other than the OIOI path.
 */
import type http from 'node:http';
import type { HubContext } from '../context.js';
import { lingerAfterTooLarge } from '../../transport/server/body.js';
import { HubEvents } from '../events.js';
import { createApi } from './api.js';
import { ApiError, sendJson } from './http.js';
import { RecentChanges } from './recent.js';
import { Sessions } from './session.js';
import { EventStream } from './sse.js';
import { DEFAULT_STATIC_DIR, serveStatic } from './static.js';
import { messageOf, TrafficLog } from './traffic.js';

export const DASHBOARD_PATH = '/dashboard';

export interface DashboardOptions {
  /** Where the built front end is (default dist/dashboard/ of this package). */
  staticDir?: string;
  /** The hub serves https: cookies get `Secure`. */
  secure?: boolean;
}

export interface Dashboard {
  /** The server's fallback: answers /dashboard and below, false for anything else. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean>;
  /** Ends live streams and stops listening to events (before the server closes). */
  stop(): void;
}

/**
 * Starts the dashboard on a hub context with events. Example:
 * `const dash = startDashboard(ctx); createOioiServer({ …, fallback: dash.handle })`.
 */
export function startDashboard(ctx: HubContext & { events: HubEvents }, { staticDir = DEFAULT_STATIC_DIR, secure = false }: DashboardOptions = {}): Dashboard {
  const traffic = new TrafficLog(ctx.events);
  const recent = new RecentChanges();
  const stream = new EventStream();
  const sessions = new Sessions(ctx.storage.operators, () => ctx.now().getTime());
  const api = createApi({ ctx, sessions, traffic, recent, stream, secure });

  const offTraffic = ctx.events.onTraffic((e) => {
    if (stream.size > 0) stream.send('traffic', messageOf(e));
  });
  const offStatus = ctx.events.onStatus((e) => {
    recent.add(e.ownerIdentifier, e.evseKey, { at: e.at, evseId: e.evseId, status: e.status });
    // The live map needs the station, its position and new summary: read after the commit, and
    // only while someone watches, so status posts cost no extra read on an unwatched hub.
    if (stream.size === 0) return;
    ctx.storage.dashboard.statusTargets(e.ownerIdentifier, e.evseKey).then(
      (targets) => {
        for (const t of targets) {
          stream.send('status', { stationId: t.stationId, evseId: t.evseId, status: e.status, summary: t.summary, lat: t.lat, lon: t.lon, at: new Date(e.at).toISOString() });
        }
      },
      (err) => ctx.log.warn({ msg: 'dashboard: cannot read a status change', error: String((err as Error)?.message ?? err) }),
    );
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    if (pathname !== DASHBOARD_PATH && !pathname.startsWith(`${DASHBOARD_PATH}/`)) return false;
    if (pathname === DASHBOARD_PATH) {
      res.writeHead(301, { location: `${DASHBOARD_PATH}/${q < 0 ? '' : url.slice(q)}` });
      res.end();
      return true;
    }
    const rest = pathname.slice(DASHBOARD_PATH.length + 1);
    if (rest === 'api' || rest.startsWith('api/')) {
      try {
        await api(req, res, rest.slice(4), new URLSearchParams(q < 0 ? '' : url.slice(q + 1)));
      } catch (err) {
        if (res.headersSent) res.destroy();
        else if (err instanceof ApiError) {
          sendJson(res, err.status, { error: err.message });
          // The rest of a too-large body: read and dropped up to a bound, so the browser gets the
          // 413 rather than a reset; longer or slower, the connection is cut (transport's DRAIN).
          if (err.status === 413) lingerAfterTooLarge(req);
        }
        else {
          ctx.log.error({ msg: 'dashboard API error', path: pathname, error: String((err as Error)?.message ?? err), stack: (err as Error)?.stack });
          sendJson(res, 500, { error: 'internal error (see the hub log)' });
        }
      }
      return true;
    }
    serveStatic(staticDir, rest, req, res);
    return true;
  }

  return {
    handle,
    stop() {
      offTraffic();
      offStatus();
      traffic.stop();
      stream.close();
    },
  };
}
