/** `oioi hub`: runs the roaming platform (shared/cli.md, "Hub"). */
import { readFileSync } from 'node:fs';
import { startHub } from '../../hub/index.js';
import { dbFlag } from '../db-flag.js';
import { readFlags, UsageError } from '../flags.js';

/** Reads a size in bytes: `1048576`, `512KiB`, `1MiB`. */
function bytes(value: unknown, flag: string): number {
  const m = /^([0-9]+)\s*(B|KiB|MiB|GiB)?$/i.exec(String(value));
  if (!m) throw new UsageError(`--${flag} takes a size such as 1048576, 512KiB or 1MiB`);
  const unit = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  const n = Number(m[1]) * unit;
  if (n < 1024) throw new UsageError(`--${flag} must be at least 1KiB`);
  return n;
}

function positiveInt(value: unknown, flag: string, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} takes a whole number >= ${min}`);
  return n;
}

/** Reads `--rate-limit`: `50`, `50/s` or `3000/min` -> requests per second; `0`/`off` -> off. */
function rate(value: unknown): number | undefined {
  const text = String(value ?? '').trim().toLowerCase();
  if (text === '' || text === '0' || text === 'off') return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(?:\/\s*(s|sec|second|m|min|minute))?$/.exec(text);
  if (!m || !(Number(m[1]) > 0)) throw new UsageError('--rate-limit takes requests per key and second such as 50, 50/s or 3000/min (0 or off: no limit)');
  return m[2] && m[2].startsWith('m') ? Number(m[1]) / 60 : Number(m[1]);
}

export async function run(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    ...dbFlag,
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8080' },
    path: { type: 'string', default: '/api/v4/request' },
    'upstream-timeout': { type: 'string', default: '20000' },
    'surface-limit': { type: 'string', default: '500' },
    'outbox-dead-after': { type: 'string', default: String(7 * 24 * 3600_000) },
    'outbox-min-delay': { type: 'string', default: '1000' },
    'outbox-max-delay': { type: 'string', default: String(10 * 60_000) },
    'outbox-lanes': { type: 'string', default: '64' },
    'outbox-per-partner': { type: 'string', default: '8' },
    'minimum-version': { type: 'string', default: '4.0.0' },
    'body-limit': { type: 'string', default: '1MiB' },
    'whitelist-body-limit': { type: 'string', default: '64MiB' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'no-dashboard': { type: 'boolean', default: false },
    'rate-limit': { type: 'string', default: 'off' },
    'rate-burst': { type: 'string' },
    'headers-timeout': { type: 'string', default: '10000' },
    'request-timeout': { type: 'string', default: '30000' },
  });
  const port = positiveInt(values.port, 'port', 0);
  if (port > 65535) throw new UsageError('--port must be at most 65535');
  const path = values.path as string;
  if (!path.startsWith('/')) throw new UsageError('--path must start with /');
  const cert = values['tls-cert'] as string | undefined;
  const key = values['tls-key'] as string | undefined;
  if (Boolean(cert) !== Boolean(key)) throw new UsageError('--tls-cert and --tls-key go together');
  const perSecond = rate(values['rate-limit']);
  // Without --rate-burst a key may send one second's worth at once (at least one request).
  const burst = values['rate-burst'] === undefined ? Math.max(1, Math.ceil(perSecond ?? 1)) : positiveInt(values['rate-burst'], 'rate-burst');
  const hub = await startHub({
    ...(cert && key ? { tls: { cert: readFileSync(cert), key: readFileSync(key) } } : {}),
    db: values.db as string,
    host: values.host as string,
    port,
    path,
    upstreamTimeoutMs: positiveInt(values['upstream-timeout'], 'upstream-timeout'),
    surfaceLimit: positiveInt(values['surface-limit'], 'surface-limit'),
    outboxDeadAfterMs: positiveInt(values['outbox-dead-after'], 'outbox-dead-after'),
    outboxMinDelayMs: positiveInt(values['outbox-min-delay'], 'outbox-min-delay'),
    outboxMaxDelayMs: positiveInt(values['outbox-max-delay'], 'outbox-max-delay'),
    outboxLanes: positiveInt(values['outbox-lanes'], 'outbox-lanes'),
    outboxPerPartner: positiveInt(values['outbox-per-partner'], 'outbox-per-partner'),
    minimumVersion: values['minimum-version'] as string,
    bodyLimit: bytes(values['body-limit'], 'body-limit'),
    whitelistBodyLimit: bytes(values['whitelist-body-limit'], 'whitelist-body-limit'),
    dashboard: !values['no-dashboard'],
    rateLimit: perSecond === undefined ? false : { perSecond, burst },
    headersTimeoutMs: positiveInt(values['headers-timeout'], 'headers-timeout', 100),
    requestTimeoutMs: positiveInt(values['request-timeout'], 'request-timeout', 100),
  });
  process.stdout.write(`oioi hub listening on ${hub.url}\n`);
  if (hub.dashboardUrl) process.stdout.write(`oioi hub dashboard on ${hub.dashboardUrl} (log in as an operator: oioi operator add)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      hub.stop().then(resolve, (err) => {
        process.stderr.write(`oioi hub: error while stopping: ${err?.message ?? err}\n`);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
