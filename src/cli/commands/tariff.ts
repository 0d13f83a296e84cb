/**
 * `oioi tariff set --db URL (--station ID | --connector EVSE) FILE.json`: the hub operator sets the
 * tariff tariffs-get-by-station-ids answers (shared/cli.md). `--station` takes the hub station id
 * (what station-get-surface returns); `--connector` an EVSE ID, for every connector that has it.
 */
import { readFileSync } from 'node:fs';
import { isOioiError } from '../../protocol/errors.js';
import { readTariff, setTariff, type TariffTarget } from '../../hub/poi/tariffs.js';
import { dbFlag, withStorage } from '../db-flag.js';
import { readFlags, UsageError } from '../flags.js';

const usage = 'usage: oioi tariff set --db URL (--station ID | --connector EVSE) FILE.json';

function targetOf(values: Record<string, unknown>): TariffTarget {
  const station = values.station as string | undefined;
  const connector = values.connector as string | undefined;
  if (Boolean(station) === Boolean(connector)) throw new UsageError(`give exactly one of --station and --connector\n${usage}`);
  if (connector) return { connector };
  const id = Number(station);
  if (!Number.isSafeInteger(id) || id < 0) throw new UsageError('--station takes the hub station id (an integer), as station-get-surface returns it');
  return { station: id };
}

/** Reads FILE (or `-` for standard input) as JSON. */
function readJson(file: string): unknown {
  const text = readFileSync(file === '-' ? 0 : file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function set(argv: string[]): Promise<number> {
  const { values, positionals } = readFlags(argv, { ...dbFlag, station: { type: 'string' }, connector: { type: 'string' } });
  const target = targetOf(values);
  if (positionals.length !== 1) throw new UsageError(usage);
  let tariff;
  try {
    tariff = readTariff(readJson(positionals[0]!), new Date());
  } catch (err) {
    if (!isOioiError(err)) throw err;
    process.stderr.write(`oioi tariff set: ${err.message}\n`);
    return 1;
  }
  return withStorage(values.db as string, async (storage) => {
    let found: boolean;
    try {
      found = await setTariff(storage, target, tariff, new Date());
    } catch (err) {
      if (!isOioiError(err)) throw err;
      process.stderr.write(`oioi tariff set: ${err.message}\n`);
      return 1;
    }
    if (!found) {
      const what = 'station' in target ? `station ${target.station}` : `connector ${target.connector}`;
      process.stderr.write(`oioi tariff set: no ${what} on this hub (post it first)\n`);
      return 1;
    }
    process.stdout.write('tariff set\n');
    return 0;
  });
}

/** Runs `oioi tariff …`. Example: `await run(['set', '--db', 'sqlite:hub.db', '--station', '17', 'tariff.json'])`. */
export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'set') return set(rest);
  throw new UsageError(usage);
}
