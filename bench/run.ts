/**
 * `npm run bench`: runs the scenarios against a real hub process and the bare node:http baseline,
 * prints the table and writes one result file per scenario (see bench/README.md).
 * Example: `npm run bench -- --quick`, `npm run bench -- --scenario status,verify`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureBuilt } from './build.js';
import { scenarioDatabases, type ScenarioDatabases } from './pg-databases.js';
import { BenchUsageError, readConfig, type BenchConfig, type ScenarioName } from './config.js';
import type { ScenarioEnv } from './measure.js';
import { disablePinning, killAll, pinning } from './processes.js';
import { stopLoad } from './load.js';
import { table, writeResult, type RunInfo } from './report.js';
import { cdrScenario } from './scenarios/cdr.js';
import type { Outcome } from './scenarios/outcome.js';
import { stationScenario } from './scenarios/station.js';
import { statusScenario } from './scenarios/status.js';
import { surfaceScenario } from './scenarios/surface.js';
import { verifyScenario } from './scenarios/verify.js';
import { PostgresUnavailableError, startPostgresCluster, type PostgresCluster } from '../test/support/postgres.js';

/** PostgreSQL runs: each scenario's database (pg-databases.ts), dropped on an interrupt too. */
let databases: ScenarioDatabases | undefined;
/** `--db temp`: the throw-away cluster, stopped and removed at the end, on a failure and on an interrupt. */
let cluster: PostgresCluster | undefined;
let clusterStarting: Promise<PostgresCluster> | undefined;
/** The run's data folder (SQLite files, logs), removed at the end, on a failure and on an interrupt. */
let dir: string | undefined;
/** The signal that interrupted the run, if one did. */
let interrupted: NodeJS.Signals | undefined;

/** One line of the run's progress on stderr, with the time. */
const log = (m: string) => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

async function main(): Promise<number> {
  const config = readConfig(process.argv.slice(2));
  if (!config.pin) disablePinning();
  // Interrupted: no hub, baseline or generator may outlive the run, nor its data.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = signal;
      killAll();
      stopLoad();
      // The killed servers' files go now (a surface run's is a gigabyte). What the scenario was
      // awaiting fails meanwhile; main's rejection stays quiet (see below), this line says why.
      if (dir) rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`bench: interrupted (${signal}); the hub, the baseline and the load were stopped and the run's data removed\n`);
      // The scenario's PostgreSQL database goes too; a server that does not answer within 5 s keeps
      // it. A throw-away cluster goes whole, even one still starting.
      const finish = () => {
        cluster?.stop();
        process.exit(130);
      };
      void (async () => {
        await clusterStarting?.catch(() => {});
        setTimeout(finish, 5000).unref();
        await databases?.releaseAll().catch(() => {});
        finish();
      })();
    });
  }
  dir = mkdtempSync(join(tmpdir(), 'oioi-bench-'));
  // Also on exit: when the process dies of an error no code path catches (its stderr closed under
  // it, say), no finally runs.
  process.once('exit', cleanUp);
  try {
    return await runScenarios(config.db === 'temp' ? { ...config, db: (await throwAwayCluster()).url } : config, dir);
  } finally {
    cleanUp();
  }
}

/**
 * Stops the servers and the load and removes the run's data (and a `--db temp` cluster). Every step
 * is synchronous, as an exit handler must be, and does nothing the second time.
 */
function cleanUp(): void {
  killAll();
  stopLoad();
  if (dir) rmSync(dir, { recursive: true, force: true });
  // Interrupted, the handler stops it once the scenario's database is dropped: stopped under the
  // drop, the server's goodbye would fail the run with a connection error instead of exit 130.
  if (!interrupted) cluster?.stop();
}

/**
 * `--db temp`: a PostgreSQL cluster of the test suite's kind (test/support/postgres.ts: initdb into
 * a temporary folder, fsync on, 32 MB of shared buffers), for a PostgreSQL run without a server of
 * one's own. Its figures are the same kind as the README's PostgreSQL tables.
 */
async function throwAwayCluster(): Promise<PostgresCluster> {
  cluster = await (clusterStarting = startPostgresCluster());
  if (interrupted) throw new Error('interrupted');
  log(`a throw-away PostgreSQL cluster at ${cluster.url}, in ${cluster.dir}`);
  return cluster;
}

/** Runs the chosen scenarios with their data under `dir`; prints the table. */
async function runScenarios(config: BenchConfig, dir: string): Promise<number> {
  const run = randomBytes(4).readUInt32BE(0).toString(36).toUpperCase().padStart(4, '0').slice(-4);
  const info: RunInfo = {
    startedAt: new Date().toISOString(),
    quick: config.quick,
    engine: config.db ? 'postgres' : 'sqlite',
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    pinned: pinning(),
    connections: config.connections,
    duration: config.duration,
    hubLog: config.hubLog,
    baselineLoad: config.baselineLoad,
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
  ensureBuilt(log);
  log(`${info.engine}, ${info.nproc} cores (${info.cpu}), node ${info.node}, ${info.pinned ? 'server on core 0, load on core 1' : 'not pinned'}, baseline loaded by ${config.baselineLoad}, data in ${dir}`);
  databases = config.db ? await scenarioDatabases(config.db, run, log) : undefined;
  if (databases) info.databasePerScenario = !databases.shared;
  /** Runs one scenario on its own storage, dropped after it (PostgreSQL; SQLite's files go with `dir`). */
  const inOwnStorage = async <T>(name: string, fn: (env: ScenarioEnv) => Promise<T>): Promise<T> => {
    const dbUrl = databases ? await databases.open(name) : `sqlite:${join(dir, `${name}.db`)}`;
    try {
      return await fn({ config, dir, run, log, dbUrl });
    } finally {
      await databases?.release(name);
    }
  };
  const want = (s: ScenarioName) => config.scenarios.includes(s);

  const outcomes: Outcome[] = [];
  const record = (o: Outcome) => {
    outcomes.push(o);
    log(`${o.scenario}: ${o.pass ? 'pass' : 'FAIL'}, written to ${writeResult(config.out, info, o)}`);
  };
  if (want('status')) record(await inOwnStorage('status', statusScenario));
  if (want('verify')) record(await inOwnStorage('verify', verifyScenario));
  if (want('cdr')) record(await inOwnStorage('cdr', cdrScenario));
  if (want('station')) record(await inOwnStorage('station', stationScenario));
  if (want('surface') || want('memory')) for (const o of await inOwnStorage('surface', (env) => surfaceScenario(env, { surface: want('surface'), memory: want('memory') }))) record(o);
  process.stdout.write(table(outcomes) + '\n');
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    // After an interrupt the scenario fails on the servers killed under it (a refused connection):
    // the signal handler has said what happened and exits 130; that failure is no news.
    if (interrupted) return;
    if (err instanceof BenchUsageError) {
      process.stderr.write(`bench: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    // `--db temp` on a machine without PostgreSQL: the message says what is missing and what to
    // do; a stack trace of the test helper would only bury it.
    if (err instanceof PostgresUnavailableError) {
      process.stderr.write(`bench: --db temp: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
