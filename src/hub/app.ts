/**
 * A running hub: storage, partner cache, the OIOI server and the background workers, started in
 * that order and stopped in reverse.
 */
import { openStorage, type Storage } from '../storage/index.js';
import { RFID_LIST_MAX } from '../protocol/messages/rfid.js';
import { createLogger, createOioiServer, inputLimitsOf, type InputLimits, type Logger, type OioiServer } from '../transport/server/index.js';
import { defaultHubConfig, type HubConfig, type HubContext, type HubWorker } from './context.js';
import { hubHandlers } from './handlers.js';
import { startWorkers } from './workers.js';
import { startAuthenticator } from './partners/authenticator.js';
import { HubEvents, inboundTraffic } from './events.js';
import { startDashboard, type DashboardOptions } from './dashboard/index.js';

export interface HubOptions extends Partial<HubConfig> {
  /** Storage URL (`sqlite:<path>` or `postgres://…`), or an open Storage. */
  db: string | Storage;
  host?: string;
  port?: number;
  path?: string;
  logger?: Logger;
  now?: () => Date;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Largest body from EMP/OEM senders, whose rfid-post carries whole whitelists (default 64 MiB). */
  whitelistBodyLimit?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Token bucket per API key (`--rate-limit`, `--rate-burst`); default off. */
  rateLimit?: { perSecond: number; burst: number } | false;
  /** Time a client has to send its request headers (default 10 s). */
  headersTimeoutMs?: number;
  /** Time a client has to send its whole request (default 30 s). */
  requestTimeoutMs?: number;
  /** Shape limits of bodies; `arrayItems` is raised to the whitelist maximum for EMP/OEM senders. */
  inputLimits?: Partial<InputLimits>;
  /** The operator dashboard under /dashboard/ of the same server (default on); false turns it off. */
  dashboard?: boolean | DashboardOptions;
}

export interface RunningHub {
  /** The full request URL, e.g. http://127.0.0.1:8080/api/v4/request. */
  readonly url: string;
  readonly context: HubContext;
  readonly server: OioiServer;
  /** The operator dashboard, e.g. http://127.0.0.1:8080/dashboard/; undefined when turned off. */
  readonly dashboardUrl: string | undefined;
  /** Stops accepting, finishes requests in flight, stops workers, closes storage. */
  stop(): Promise<void>;
}

/** Everyone gets `limits`; EMP/OEM senders may also post whitelists as long as rfid-post allows. */
function inputLimitsPerSender(limits: Partial<InputLimits> = {}): (principal: { roles: readonly string[] }) => Readonly<InputLimits> {
  const base = inputLimitsOf(limits);
  const lists = inputLimitsOf({ ...limits, arrayItems: Math.max(base.arrayItems, RFID_LIST_MAX) });
  return (principal) => (principal.roles.some((r) => r === 'emp' || r === 'oem') ? lists : base);
}

/**
 * Starts a hub. Example: `const hub = await startHub({ db: 'sqlite:./data/oioi.db', port: 0 }); console.log(hub.url)`.
 */
export async function startHub(options: HubOptions): Promise<RunningHub> {
  const { db, host = '127.0.0.1', port = 8080, path = '/api/v4/request', logger = createLogger(), now = () => new Date(), bodyLimit = 1024 * 1024, whitelistBodyLimit = 64 * 1024 * 1024, tls, rateLimit = false, headersTimeoutMs, requestTimeoutMs, inputLimits, dashboard: dashboardOption = true, ...rest } = options;
  const config: HubConfig = Object.freeze({ ...defaultHubConfig, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) });
  const storage = typeof db === 'string' ? await openStorage(db, { server: true, log: (obj) => logger.info(obj) }) : db;
  const auth = await startAuthenticator(storage);
  const events = new HubEvents();
  const context: HubContext = { storage, config, auth, log: logger, now, events };
  const dashboard = dashboardOption === false ? undefined : startDashboard({ ...context, events }, { secure: Boolean(tls), ...(typeof dashboardOption === 'object' ? dashboardOption : {}) });
  const server = createOioiServer({
    path,
    authenticate: (key) => auth.authenticate(key),
    handlers: hubHandlers(context),
    logger,
    // OIOI_VALIDATE_RESPONSES=1 checks every answer against its schema (the e2e suites turn it on).
    validateResponses: process.env.OIOI_VALIDATE_RESPONSES === '1',
    bodyLimit: (principal) => (principal.roles.some((r) => r === 'emp' || r === 'oem') ? Math.max(bodyLimit, whitelistBodyLimit) : bodyLimit),
    ...(tls ? { tls } : {}),
    rateLimit,
    ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
    ...(requestTimeoutMs !== undefined ? { requestTimeoutMs } : {}),
    inputLimits: inputLimitsPerSender(inputLimits),
    ...(dashboard ? { fallback: dashboard.handle } : {}),
    onResponse: (r) => events.traffic(inboundTraffic(r)),
  });
  let url: string;
  try {
    url = await server.listen(port, host);
  } catch (err) {
    dashboard?.stop();
    auth.stop();
    await storage.close();
    throw err;
  }
  const workers: HubWorker[] = startWorkers(context);
  // station-get-surface from memory (either engine): built now, in the background, rather than on
  // the first request; the database answers until then.
  const surfaceStarted = Date.now();
  storage.poi.prepareSurface?.().then(
    ({ stations }) => logger.info({ msg: 'surface index built', stations, ms: Date.now() - surfaceStarted }),
    () => undefined, // stopped before it was built
  );
  let stopping: Promise<void> | undefined;
  return {
    url,
    context,
    server,
    dashboardUrl: dashboard ? new URL('/dashboard/', url).href : undefined,
    stop: () =>
      (stopping ??= (async () => {
        dashboard?.stop(); // live streams end first, or the server would wait for them
        await server.close();
        await Promise.all(workers.map((w) => w.stop()));
        auth.stop();
        await storage.close();
      })()),
  };
}
