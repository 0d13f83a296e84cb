/** The benchmark's flags, read once: `npm run bench -- [--quick] [--db URL] [--scenario a,b] …`. */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { repoRoot } from './processes.js';
import { wrkInstalled } from './wrk.js';
import { isLogLevel, LOG_LEVELS } from '../src/transport/server/logger.js';

export const scenarioNames = ['status', 'verify', 'cdr', 'station', 'surface', 'memory'] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface BenchConfig {
  quick: boolean;
  /** A PostgreSQL URL, `temp` for a throw-away cluster the run starts and removes, or undefined for a fresh SQLite file per scenario. */
  db: string | undefined;
  scenarios: ScenarioName[];
  /** Seconds of measured load per run, and of warm-up before it. */
  duration: number;
  warmup: number;
  /** Alternating hub/baseline rounds the duration (or request count) is split into. */
  rounds: number;
  connections: number;
  /** Where result files go: `--out`, else the `--profile` folder, else bench/results. */
  out: string;
  /** OIOI_LOG of the hub: `info` (every request logged, as in production) by default. */
  hubLog: string;
  /** A folder for CPU profiles of the hub (`node --cpu-prof`), or undefined. */
  profile: string | undefined;
  /** Reuse the million-station SQLite file of an earlier run when nothing that shapes it changed (off: `--fresh`). */
  cache: boolean;
  /** Pin the servers and the load generator to different cores (default when possible). */
  pin: boolean;
  /** What loads the baseline: wrk when installed (`--baseline-load autocannon` to compare), see wrk.ts. */
  baselineLoad: 'wrk' | 'autocannon';
  /** Data sizes. */
  connectors: number;
  uids: number;
  stationPosts: number;
  surfaceStations: number;
  /** In-process surface queries timed for "query alone". */
  queries: number;
}

const usage = 'usage: npm run bench -- [--quick] [--db postgres://…|temp] [--scenario status,verify,cdr,station,surface,memory] [--duration S] [--connections N] [--out DIR] [--hub-log info|warn|error|silent] [--profile DIR] [--no-pin] [--fresh] [--baseline-load wrk|autocannon]';

/**
 * A flag the bench cannot run with; its message ends with the usage line (the bench's, or that of
 * the tool `usageLine` names). Printed without a stack.
 */
export class BenchUsageError extends Error {
  constructor(problem: string, usageLine = usage) {
    super(`${problem}\n${usageLine}`);
    this.name = 'BenchUsageError';
  }
}

/** Reads the flags; throws BenchUsageError for flags it cannot run with. Example: `readConfig(['--quick'])`. */
export function readConfig(argv: string[]): BenchConfig {
  try {
    return configOf(argv);
  } catch (err) {
    // parseArgs' own refusals (an unknown flag, a missing value) are usage errors too.
    if (err instanceof BenchUsageError) throw err;
    throw new BenchUsageError((err as Error).message);
  }
}

function configOf(argv: string[]): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      db: { type: 'string' },
      scenario: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      out: { type: 'string' },
      'hub-log': { type: 'string', default: 'info' },
      profile: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      'baseline-load': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(usage + '\n');
    process.exit(0);
  }
  const quick = values.quick === true;
  const scenarios = (values.scenario ?? scenarioNames.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scenarios) if (!(scenarioNames as readonly string[]).includes(s)) throw new BenchUsageError(`unknown scenario '${s}'`);
  if (values.db !== undefined && values.db !== 'temp' && !/^postgres(ql)?:\/\//.test(values.db)) {
    throw new BenchUsageError('--db takes a postgres:// URL, or temp for a throw-away PostgreSQL cluster (SQLite files are made per scenario)');
  }
  const number = (v: string | undefined, fallback: number, name: string) => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!(n > 0)) throw new BenchUsageError(`--${name} takes a positive number`);
    return n;
  };
  const duration = number(values.duration, quick ? 2 : 18, 'duration');
  if (!isLogLevel(values['hub-log']!)) throw new BenchUsageError(`--hub-log takes ${LOG_LEVELS.join(', ')}`);
  const baselineLoad = values['baseline-load'] ?? (wrkInstalled() ? 'wrk' : 'autocannon');
  if (baselineLoad !== 'wrk' && baselineLoad !== 'autocannon') throw new BenchUsageError('--baseline-load takes wrk or autocannon');
  if (baselineLoad === 'wrk' && !wrkInstalled()) throw new BenchUsageError('--baseline-load wrk: wrk is not installed (apt-get install wrk)');
  return Object.freeze({
    quick,
    db: values.db,
    scenarios: scenarios as ScenarioName[],
    duration,
    warmup: quick ? 0.5 : Math.max(1, Math.round(duration / 5)),
    rounds: quick ? 1 : 3,
    connections: Math.round(number(values.connections, quick ? 10 : 50, 'connections')),
    // A profiled hub runs slower than it does unprofiled: its figures go beside its profiles, never
    // over the committed results that bench/README.md quotes.
    out: values.out ?? values.profile ?? join(repoRoot, 'bench', 'results'),
    hubLog: values['hub-log'] as string,
    profile: values.profile,
    pin: values['no-pin'] !== true,
    baselineLoad,
    cache: values.fresh !== true,
    connectors: quick ? 2_000 : 100_000,
    uids: quick ? 2_000 : 100_000,
    stationPosts: quick ? 1_000 : 100_000,
    surfaceStations: quick ? 20_000 : 1_000_000,
    queries: quick ? 300 : 5_000,
  });
}
