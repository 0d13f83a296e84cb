/**
 * The benchmark itself works: `npm run bench -- --quick` runs every scenario against a real hub
 * and the baseline and writes one result file each. Targets are not checked here (bench/README.md).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { wrkInstalled } from '../bench/wrk.js';
import { freshDatabase, testEngines } from './support/engines.js';
import { openStorage } from '../src/storage/index.js';
import { queryDatabase } from './support/db-query.js';
import { testPostgresUrl } from './support/postgres.js';
import { processesNaming, processesNamingAfter, runScript } from './support/processes.js';
import { aPartner, aStation } from '../src/storage/contract/test-support/setup.js';

/** Runs `bench/run.ts` with `args`; `interruptOn`: SIGINT once stderr matches it. */
const bench = (args: string[], interruptOn?: RegExp, env?: Record<string, string>) => runScript('bench/run.ts', args, { interruptOn, env });

const scenarios = ['status', 'verify', 'cdr', 'station', 'surface', 'memory'];

test('should run every scenario in --quick mode and write its results', { timeout: 180_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'oioi-bench-smoke-'));
  try {
    const { code, stdout, stderr } = await bench(['--quick', '--duration', '1', '--fresh', '--out', out]);
    assert.equal(code, 0, `bench failed:\n${stderr.slice(-3000)}`);

    const files = readdirSync(out);
    for (const s of scenarios) {
      const file = files.find((f) => f.endsWith(`-${s}-quick.json`));
      assert.ok(file, `no result file for ${s} in ${files.join(', ')}`);
      const r = JSON.parse(readFileSync(join(out, file), 'utf8'));
      assert.equal(r.scenario, s);
      assert.equal(r.run.quick, true);
      if (s === 'memory') {
        assert.ok(r.rssKb > 0, 'memory: the idle RSS was read');
      } else {
        // Every request of the hub and the baseline was answered with success, and both were measured.
        assert.ok(r.hubRps > 0 && r.baselineRps > 0 && r.ratio > 0, `${s}: rates measured`);
        assert.equal(r.details.hub.failed, 0, `${s}: hub refused requests: ${r.details.hub.firstFailure}`);
        assert.equal(r.details.baseline.failed, 0, `${s}: baseline failed requests`);
        assert.ok(r.rssKb > 0, `${s}: peak RSS read`);
        assert.ok(r.details.cpuUsPerRequest.hub > 0 && r.details.cpuUsPerRequest.baseline > 0, `${s}: CPU per request read`);
        // The hub's CPU in parts: its main thread read exactly, the rest its other threads'; user and system add up.
        const split = r.details.hubCpuSplitUsPerRequest;
        assert.ok(split.mainThread > 0 && split.otherThreads >= 0, `${s}: main thread's CPU read: ${JSON.stringify(split)}`);
        // Exact against 10 ms ticks, so not an equality; twice the whole would be a unit gone wrong.
        assert.ok(split.mainThread < 2 * r.details.cpuUsPerRequest.hub, `${s}: main thread within the process: ${JSON.stringify(split)}`);
        assert.ok(Math.abs(split.user + split.system - r.details.cpuUsPerRequest.hub) < 1e-6, `${s}: user and system add up`);
        // wrk loads the baseline where it is installed (.ci/run installs it), autocannon elsewhere.
        assert.equal(r.run.baselineLoad, wrkInstalled() ? 'wrk' : 'autocannon');
        // Against the baseline's capacity: the hub's rate over 1e6 / the baseline's CPU µs per request.
        assert.ok(Math.abs(r.capacityRatio - (r.hubRps * r.details.cpuUsPerRequest.baseline) / 1e6) < 1e-9, `${s}: capacity ratio`);
        assert.equal(r.details.hubCpuMsDuringBaseline, 0, `${s}: the hub is paused while the baseline is measured`);
      }
    }
    assert.ok(r0(JSON.parse(readFileSync(join(out, files.find((f) => f.endsWith('-surface-quick.json'))!), 'utf8'))), 'surface: boxes hit stations');
    for (const s of scenarios) assert.match(stdout, new RegExp(`\\| ${s} `), `table row for ${s}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

/** The in-process query found stations in the city boxes (the data and the boxes line up). */
function r0(surface: { details: { query: { meanHits: number; p99: number } } }): boolean {
  return surface.details.query.meanHits > 0 && surface.details.query.p99 > 0;
}


/** The run's data folder, as the bench names it on its first line. */
function dataDirOf(stderr: string): string {
  const dir = /data in (\S+)/.exec(stderr)?.[1];
  assert.ok(dir, `no data folder named in:\n${stderr}`);
  return dir;
}

test('should stop every process, remove its data and print one line, not a stack, when interrupted', { skip: !existsSync('/proc'), timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'oioi-bench-int-'));
  try {
    // Interrupted in the hub's measured round, with its hub and load running.
    const { code, stderr } = await bench(['--quick', '--scenario', 'status', '--duration', '20', '--out', out], /status: \d+ rounds of/);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /bench: interrupted \(SIGINT\)/);
    // The scenario failing on its killed hub (a refused connection) is not reported as an error.
    assert.doesNotMatch(stderr, /ECONNREFUSED|bench: Error|\n\s+at /);
    const dir = dataDirOf(stderr);
    assert.equal(existsSync(dir), false, `${dir} left behind`);
    // The hub ran on a file in that folder: nothing naming it may still run.
    assert.deepEqual(await processesNamingAfter(dir, 5000), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('should stop wrk too when interrupted while it loads the baseline', { skip: !existsSync('/proc') || !wrkInstalled(), timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'oioi-bench-intwrk-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--scenario', 'verify', '--duration', '9', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    // Interrupted once wrk loads the baseline in a measured round (not the short warm-up, which
    // would end on its own); its script lies in the run's data folder.
    const deadline = Date.now() + 90_000;
    let dir: string | undefined;
    while (!(dir && /rounds of/.test(stderr) && processesNaming(join(dir, 'baseline.lua')).length)) {
      assert.ok(Date.now() < deadline, `wrk never ran:\n${stderr}`);
      dir ??= /data in (\S+)/.exec(stderr)?.[1];
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    // A wrk left running would go on for the rest of its round (3 s here); a killed one is gone at once.
    assert.deepEqual(await processesNamingAfter(dir, 1000), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('should stop its servers and remove its data when its output closes under it', { skip: !existsSync('/proc'), timeout: 120_000 }, async () => {
  // As under `npm run bench | head`: the next log line fails with EPIPE, an error no code path
  // catches, and the process dies without running its finally blocks.
  const out = mkdtempSync(join(tmpdir(), 'oioi-bench-pipe-'));
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--duration', '1', '--scenario', 'verify', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/warming the hub up/.test(stderr)) child.stdout.destroy(), child.stderr.destroy();
    });
    await new Promise((r) => child.once('exit', r));
    const dir = dataDirOf(stderr);
    assert.equal(existsSync(dir), false, `${dir} left behind`);
    assert.deepEqual(await processesNamingAfter(dir, 5000), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('should remove its data folder when it fails before any scenario ran', { timeout: 60_000 }, async () => {
  // Nothing listens on port 1: the PostgreSQL set-up fails, after the data folder was made.
  const { code, stderr } = await bench(['--quick', '--scenario', 'verify', '--db', 'postgres://bench@127.0.0.1:1/nothing', '--out', tmpdir()]);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /bench: .*(ECONNREFUSED|connect)/);
  assert.equal(existsSync(dataDirOf(stderr)), false);
});

test('should say in one line, without a stack, that --db temp needs PostgreSQL when its binaries are missing', { timeout: 60_000 }, async () => {
  // OIOI_PG_BIN set: only that folder is searched. TMPDIR of its own: nothing may be left in it.
  const tmp = mkdtempSync(join(tmpdir(), 'oioi-bench-nopg-'));
  try {
    const missing = join(tmp, 'no-postgres-here');
    const { code, stderr } = await bench(['--quick', '--scenario', 'verify', '--db', 'temp', '--out', tmp], undefined, { OIOI_PG_BIN: missing, TMPDIR: tmp });
    assert.equal(code, 1, stderr);
    assert.equal(stderr, `bench: --db temp: PostgreSQL test server cannot start: initdb and pg_ctl not found in ${missing} (install postgresql-15 or set OIOI_PG_BIN)\n`);
    // (tsx keeps its cache there too.)
    assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('oioi-bench-')), [], 'the run\'s data folder is gone');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

/** One statement on the test cluster as its superuser, or on `url`. */
async function sql(text: string, url?: string): Promise<unknown[]> {
  return queryDatabase(url ?? (await testPostgresUrl()), text);
}

test('should give each scenario a PostgreSQL database of its own, next to an empty --db never migrated, and drop it after', { skip: !testEngines().includes('postgres'), timeout: 240_000 }, async () => {
  const db = await freshDatabase('postgres');
  const out = mkdtempSync(join(tmpdir(), 'oioi-bench-pg-'));
  try {
    // cdr and station take PostgreSQL's turn batches (storage/postgres/cdr-save-batch.ts, poi/save-station-batch.ts) under 50 connections.
    const { code, stderr } = await bench(['--quick', '--duration', '1', '--db', db.url, '--scenario', 'status,verify,cdr,station', '--out', out]);
    assert.equal(code, 0, `bench failed:\n${stderr.slice(-3000)}`);
    for (const s of ['status', 'verify', 'cdr', 'station']) {
      const file = readdirSync(out).find((f) => f.endsWith(`-${s}-quick.json`));
      assert.ok(file, `no result file for ${s}`);
      const r = JSON.parse(readFileSync(join(out, file), 'utf8'));
      assert.equal(r.run.engine, 'postgres');
      assert.equal(r.run.databasePerScenario, true);
      assert.ok(r.hubRps > 0 && r.details.hub.failed === 0, `${s} on PostgreSQL: ${r.details.hub.firstFailure}`);
    }
    const names = [...stderr.matchAll(/database (oioi_bench_\w+) for (\w+)/g)].map((m) => m[1]);
    assert.equal(names.length, 4, stderr);
    assert.equal(new Set(names).size, 4, stderr);
    // The scenarios' rows went to their own databases, and those are gone.
    assert.deepEqual(await sql("SELECT to_regclass('stations') AS t", db.url), [{ t: null }]);
    assert.deepEqual(await sql("SELECT datname FROM pg_database WHERE datname LIKE 'oioi_bench_%'"), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
    await db.drop();
  }
});

/** The throw-away cluster's folder, as the bench names it. */
function clusterDirOf(stderr: string): string {
  const dir = /a throw-away PostgreSQL cluster at \S+, in (\S+)/.exec(stderr)?.[1];
  assert.ok(dir, `no cluster named in:\n${stderr}`);
  return dir;
}

test('should run on a throw-away PostgreSQL cluster with --db temp, and remove it after the run or an interrupt', { skip: !testEngines().includes('postgres'), timeout: 240_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'oioi-bench-temp-'));
  try {
    const done = await bench(['--quick', '--duration', '1', '--db', 'temp', '--scenario', 'verify', '--out', out]);
    assert.equal(done.code, 0, `bench failed:\n${done.stderr.slice(-3000)}`);
    const file = readdirSync(out).find((f) => f.endsWith('-verify-quick.json'));
    assert.ok(file, 'no result file for verify');
    const r = JSON.parse(readFileSync(join(out, file), 'utf8'));
    assert.equal(r.run.engine, 'postgres');
    assert.ok(r.hubRps > 0 && r.details.hub.failed === 0);
    const first = clusterDirOf(done.stderr);
    assert.equal(existsSync(first), false, 'the cluster\'s folder is gone');
    assert.deepEqual(processesNaming(first), [], 'no server of that cluster runs');

    const stopped = await bench(['--quick', '--duration', '20', '--db', 'temp', '--scenario', 'verify', '--out', out], /verify: \d+ rounds of/);
    assert.equal(stopped.code, 130, stopped.stderr);
    const second = clusterDirOf(stopped.stderr);
    assert.equal(existsSync(second), false, 'the interrupted run\'s cluster is gone');
    assert.deepEqual(processesNaming(second), []);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('should refuse a shared PostgreSQL database that already holds stations when the role may not create databases', { skip: !testEngines().includes('postgres'), timeout: 120_000 }, async () => {
  const role = `bench_plain_${process.pid}`;
  const name = `oioi_test_bench_${process.pid}`;
  await sql(`CREATE ROLE ${role} LOGIN NOCREATEDB`);
  await sql(`CREATE DATABASE ${name} OWNER ${role}`);
  const url = new URL(await testPostgresUrl());
  url.username = role;
  url.pathname = `/${name}`;
  try {
    const storage = await openStorage(url.toString());
    try {
      await storage.poi.saveStation(aStation(await aPartner(storage, 'bench-earlier-run')));
    } finally {
      await storage.close();
    }
    const { code, stderr } = await bench(['--quick', '--db', url.toString(), '--scenario', 'memory', '--out', tmpdir()]);
    assert.notEqual(code, 0);
    assert.match(stderr, /may not create databases/);
    assert.match(stderr, /already holds 1 station; give the bench an empty database/);
  } finally {
    await sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await sql(`DROP ROLE IF EXISTS ${role}`);
  }
});
