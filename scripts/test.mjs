#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner (TypeScript through tsx).
// Builds dist/ first: end-to-end tests start the real `oioi` command, as operators do.
// Extra arguments are passed on: `npm test -- src/protocol` runs only the files under that path.
// Starts ONE throw-away PostgreSQL cluster for the whole run (test/support/postgres.ts) and hands
// its URL to every test process in OIOI_TEST_PG_URL; stops it afterwards, also on failure or
// Ctrl-C. OIOI_TEST_ENGINES=sqlite skips it; an OIOI_TEST_PG_URL already set is used as it is.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pruneDist } from './prune-dist.mjs';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(process.cwd(), p));
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = ['src', 'test'].flatMap((d) => { try { return find(d); } catch { return []; } })
  .filter((f) => filters.length === 0 || filters.some((x) => f.startsWith(x) || f.includes(x)))
  .sort();

pruneDist('src', 'dist'); // a removed source's compiled file would still run (e.g. a migration)
const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
if (spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/vite.config.ts'], { stdio: 'inherit' }).status !== 0) process.exit(1); // the dashboard the hub serves

// OIOI_TEST_DIST: dist/ was built just now, so the CLI tests run `bin/oioi.js` (test/support/cli.ts).
const env = { ...process.env, OIOI_LOG: process.env.OIOI_LOG ?? 'silent', OIOI_TEST_DIST: '1' };
const engines = (process.env.OIOI_TEST_ENGINES ?? 'sqlite,postgres').split(',').map((e) => e.trim());
let cluster;
if (!env.OIOI_TEST_PG_URL && engines.includes('postgres')) {
  const { tsImport } = await import('tsx/esm/api');
  const { startPostgresCluster } = await tsImport('../test/support/postgres.ts', import.meta.url);
  try {
    cluster = await startPostgresCluster();
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
  env.OIOI_TEST_PG_URL = cluster.url;
}

// A test whose promise never settles fails after TEST_TIMEOUT_MS (tests that need longer say so).
const TEST_TIMEOUT_MS = 300_000;
// A test file that never exits (a handle left open after its tests ended) would hold the run
// forever: past RUN_LIMIT_MIN minutes the run is stopped, naming the files still running.
const RUN_LIMIT_MIN = Number(process.env.OIOI_TEST_RUN_LIMIT_MIN ?? 30);
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', `--test-timeout=${TEST_TIMEOUT_MS}`, ...flags, ...files];
const child = spawn(process.execPath, args, { stdio: 'inherit', env });
// Ctrl-C reaches the test runner too (same process group); we wait for it, then clean up.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
let overrun = false;
const watchdog = setTimeout(() => {
  overrun = true;
  const running = spawnSync('ps', ['-o', 'etime=,args=', '--ppid', String(child.pid)], { encoding: 'utf8' }).stdout.trim();
  console.error(`\nThe test run passed ${RUN_LIMIT_MIN} minutes and was stopped. Test processes still running:\n${running || '(none)'}`);
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
}, RUN_LIMIT_MIN * 60_000);
watchdog.unref();
child.on('exit', (code, signal) => {
  clearTimeout(watchdog);
  cluster?.stop();
  process.exit(overrun ? 1 : code ?? (signal ? 1 : 0));
});
