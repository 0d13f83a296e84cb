/**
 * `npm run bench`: runs the scenarios against a real hub process and the bare node:http baseline,
 * prints the table and writes one result file per scenario (see bench/README.md).
 * Example: `npm run bench -- --quick`, `npm run bench -- --scenario status,verify`.
 */
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureBuilt } from './build.js';
import { readConfig, type ScenarioName } from './config.js';
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

async function main(): Promise<number> {
  const config = readConfig(process.argv.slice(2));
  if (!config.pin) disablePinning();
  // Interrupted: no hub, baseline or generator may outlive the run.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      stopLoad();
      process.exit(130);
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'oioi-bench-'));
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
  const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  ensureBuilt(log);
  log(`${info.engine}, ${info.nproc} cores (${info.cpu}), node ${info.node}, ${info.pinned ? 'server on core 0, load on core 1' : 'not pinned'}, baseline loaded by ${config.baselineLoad}, data in ${dir}`);
  if (config.db) await assertEmptyDatabase(config.db);
  const envFor = (name: string): ScenarioEnv => ({ config, dir, run, log, dbUrl: config.db ?? `sqlite:${join(dir, `${name}.db`)}` });
  const want = (s: ScenarioName) => config.scenarios.includes(s);

  const outcomes: Outcome[] = [];
  const record = (o: Outcome) => {
    outcomes.push(o);
    log(`${o.scenario}: ${o.pass ? 'pass' : 'FAIL'}, written to ${writeResult(config.out, info, o)}`);
  };
  try {
    if (want('status')) record(await statusScenario(envFor('status')));
    if (want('verify')) record(await verifyScenario(envFor('verify')));
    if (want('cdr')) record(await cdrScenario(envFor('cdr')));
    if (want('station')) record(await stationScenario(envFor('station')));
    if (want('surface') || want('memory')) for (const o of await surfaceScenario(envFor('surface'), { surface: want('surface'), memory: want('memory') })) record(o);
  } finally {
    stopLoad();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(table(outcomes) + '\n');
  return 0;
}

/**
 * Refuses a PostgreSQL database that already holds stations: each run loads its own, and a second
 * run on the same database would measure both runs' stations (a million became two, once).
 */
async function assertEmptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Two statements: PostgreSQL resolves every table a statement names before it runs, so a count
    // behind a CASE still fails on a database never migrated ("relation stations does not exist").
    const { rows: exists } = await client.query<{ t: string | null }>("SELECT to_regclass('stations')::text AS t");
    if (!exists[0]?.t) return;
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM stations');
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) throw new Error(`--db: the database already holds ${n} station${n === 1 ? '' : 's'}; give the bench an empty database (CREATE DATABASE …) for each run`);
  } finally {
    await client.end();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
