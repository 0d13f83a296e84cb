/** `oioi demo`: a hub with a simulated CPO and OEM on a throw-away database, for a first look (docs/demo.md). */
import { DemoError, startDemo } from '../../demo/run.js';
import { createLogger, isLogLevel, type LogLevel } from '../../transport/server/index.js';
import { readFlags, UsageError } from '../flags.js';

function wholeNumber(value: unknown, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${flag} takes a whole number from ${min} to ${max}`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values } = readFlags(argv, {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8080' },
    stations: { type: 'string', default: '300' },
    // No default: without --db the demo makes a temporary database and removes it on exit.
    db: { type: 'string' },
    'status-interval': { type: 'string', default: '3000' },
    seed: { type: 'string', default: '1' },
  });
  // The banner owns stdout; the hub's JSON log lines go to stderr, warnings and worse unless OIOI_LOG says otherwise.
  const envLevel = process.env.OIOI_LOG?.toLowerCase();
  const level: LogLevel = envLevel && isLogLevel(envLevel) ? envLevel : 'warn';
  const say = (line: string) => void process.stderr.write(`demo ${line}\n`);
  let demo;
  try {
    demo = await startDemo({
      host: values.host as string,
      port: wholeNumber(values.port, 'port', 0, 65535),
      stations: wholeNumber(values.stations, 'stations', 1, 100_000),
      statusIntervalMs: wholeNumber(values['status-interval'], 'status-interval', 50, 3_600_000),
      seed: wholeNumber(values.seed, 'seed', 0, 2 ** 32 - 1),
      ...(values.db ? { db: values.db as string } : {}),
      logger: createLogger({ level, stream: process.stderr }),
      say,
    });
  } catch (err) {
    if (!(err instanceof DemoError)) throw err;
    process.stderr.write(`oioi demo: ${err.message}\n`);
    return 1;
  }
  process.stdout.write(demo.banner);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      // A second Ctrl+C while stopping ends the process at once.
      process.once('SIGINT', () => process.exit(130));
      say('stopping');
      demo.stop().then(resolve, (err) => {
        process.stderr.write(`oioi demo: error while stopping: ${err?.message ?? err}\n`);
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
