/** `oioi cpo`: the OCPP 1.6J gateway of a charge point operator (docs/cpo.md lists every flag). */
import { startCpoGateway, StationsFileError } from '../../cpo/index.js';
import { createLogger } from '../../transport/server/index.js';
import { readFlags, required, UsageError } from '../flags.js';

function whole(value: unknown, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} takes a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    hub: { type: 'string' },
    'hub-key': { type: 'string' },
    'partner-identifier': { type: 'string' },
    stations: { type: 'string' },
    key: { type: 'string' },
    db: { type: 'string', default: 'sqlite:./data/oioi-cpo.db' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8081' },
    'ocpp-port': { type: 'string', default: '9220' },
    path: { type: 'string', default: '/api/v4/request' },
    'offline-grace': { type: 'string', default: '60000' },
    'heartbeat-interval': { type: 'string', default: '300' },
    'remote-start-timeout': { type: 'string', default: '15000' },
    'ocpp-call-timeout': { type: 'string', default: '10000' },
    'auth-cache': { type: 'string', default: '3600000' },
    'reservation-duration': { type: 'string', default: '900000' },
    'post-ongoing-sessions': { type: 'boolean', default: false },
    'hub-timeout': { type: 'string', default: '10000' },
    'outbox-min-delay': { type: 'string', default: '1000' },
    'outbox-max-delay': { type: 'string', default: '600000' },
  });
  const hubUrl = required(values, 'hub');
  if (!/^https?:\/\//.test(hubUrl)) throw new UsageError('--hub takes the hub\'s full request URL, e.g. http://127.0.0.1:8080/api/v4/request');
  const path = values.path as string;
  if (!path.startsWith('/')) throw new UsageError('--path must start with /');
  const hubKey = required(values, 'hub-key');
  const partnerIdentifier = required(values, 'partner-identifier');
  const stationsPath = required(values, 'stations');
  const ports = { port: whole(values.port, 'port', 0, 65535), ocppPort: whole(values['ocpp-port'], 'ocpp-port', 0, 65535) };
  const key = values.key as string | undefined;
  if (!key) process.stderr.write('oioi cpo: no --key given: the hub cannot call this gateway (remote start, reservations, whitelists)\n');
  let gw;
  try {
    gw = await startCpoGateway({
      hubUrl,
      hubKey,
      partnerIdentifier,
      stationsPath,
      ...(key ? { key } : {}),
      db: values.db as string,
      host: values.host as string,
      ...ports,
      path,
      offlineGraceMs: whole(values['offline-grace'], 'offline-grace', 0),
      heartbeatIntervalS: whole(values['heartbeat-interval'], 'heartbeat-interval', 1),
      remoteStartTimeoutMs: whole(values['remote-start-timeout'], 'remote-start-timeout', 1),
      ocppCallTimeoutMs: whole(values['ocpp-call-timeout'], 'ocpp-call-timeout', 1),
      authCacheMs: whole(values['auth-cache'], 'auth-cache', 0),
      reservationMs: whole(values['reservation-duration'], 'reservation-duration', 1000),
      postOngoingSessions: values['post-ongoing-sessions'] === true,
      hubTimeoutMs: whole(values['hub-timeout'], 'hub-timeout', 1),
      outboxMinDelayMs: whole(values['outbox-min-delay'], 'outbox-min-delay', 1),
      outboxMaxDelayMs: whole(values['outbox-max-delay'], 'outbox-max-delay', 1),
      // JSON log lines on stderr: stdout holds only the ready line, which scripts read.
      logger: createLogger({ stream: process.stderr }),
    });
  } catch (err) {
    if (err instanceof StationsFileError) {
      process.stderr.write(`oioi cpo: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  process.stdout.write(`oioi cpo listening on ${gw.url} ocpp ${gw.ocppUrl}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      gw.stop().then(resolve, (err) => {
        process.stderr.write(`oioi cpo: error while stopping: ${err?.message ?? err}\n`);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
