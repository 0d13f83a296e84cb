/**
 * `npm run bench:ab -- --base REV [--pairs N] [-- bench flags]`: is the working tree cheaper than
 * REV? Runs `bench/run.ts` on both, alternating (base then head, head then base, …) so that a
 * busy minute weighs on both, and prints each run's CPU per request with a verdict per scenario
 * (bench/ab-summary.ts). The base is a detached git worktree of REV in a temporary folder, with
 * this checkout's node_modules, built and benchmarked by its own harness; it goes when the
 * comparison ends, fails or is interrupted.
 * Example: `npm run bench:ab -- --base HEAD~1 --pairs 3 -- --scenario status,verify`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { abReport, runOrder, type AbRun, type AbSide } from './ab-summary.js';
import { BenchUsageError, readConfig } from './config.js';
import { repoRoot } from './processes.js';

const usage = 'usage: npm run bench:ab -- --base REV [--pairs N] [-- bench flags, as npm run bench takes them, but --out]';

interface AbConfig {
  base: string;
  pairs: number;
  benchArgs: string[];
}

/** Reads the flags; throws BenchUsageError for ones it cannot run with. Example: `readAbConfig(['--base', 'HEAD~1'])`. */
function readAbConfig(argv: string[]): AbConfig {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { base: { type: 'string' }, pairs: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new BenchUsageError((err as Error).message, usage);
  }
  const { values, positionals: benchArgs } = parsed;
  if (!values.base) throw new BenchUsageError('--base names the revision to compare with (a commit, a branch, HEAD~1)', usage);
  const pairs = Number(values.pairs ?? 2);
  if (!Number.isInteger(pairs) || pairs < 1 || pairs > 20) throw new BenchUsageError('--pairs takes a whole number from 1 to 20', usage);
  if (benchArgs.some((a) => a === '--out' || a.startsWith('--out='))) throw new BenchUsageError('the comparison keeps each run\'s result files itself: leave --out out', usage);
  try {
    readConfig(benchArgs); // the bench's own flags, refused now rather than after the base's build
  } catch (err) {
    // its problem and the bench's usage line, then this tool's
    throw new BenchUsageError((err as Error).message, usage);
  }
  return { base: values.base, pairs, benchArgs };
}

function git(args: string[], cwd = repoRoot): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout.trim();
}

/** The commit `rev` names, or a usage error. */
function commitOf(rev: string): string {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new BenchUsageError(`--base ${rev}: no such commit in ${repoRoot}${r.stderr.trim() ? ` (git: ${r.stderr.trim()})` : ''}`, usage);
  return r.stdout.trim();
}

/** The run in progress, stopped by an interrupt; and the interrupt, once one came. */
let running: ReturnType<typeof spawn> | undefined;
let interrupted: NodeJS.Signals | undefined;

/**
 * Runs `node args` in `cwd`; its stderr (and stdout with `showStdout`) goes to stderr, each line
 * tagged. Rejects when it fails or was interrupted.
 */
function runNode(cwd: string, args: string[], tag: string, showStdout = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', showStdout ? 'pipe' : 'ignore', 'pipe'] });
    running = child;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      let rest = '';
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) process.stderr.write(`[${tag}] ${line}\n`);
      });
      stream.on('end', () => rest && process.stderr.write(`[${tag}] ${rest}\n`));
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      running = undefined;
      if (code === 0) resolve();
      else reject(new Error(interrupted ? `interrupted (${interrupted})` : `the ${tag} step failed (${signal ?? `exit ${code}`}); its log is above`));
    });
  });
}

/** The figures of every result file the bench wrote under `out`. */
function runsIn(out: string, pair: number, side: AbSide): AbRun[] {
  return readdirSync(out).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const r = JSON.parse(readFileSync(join(out, f), 'utf8'));
    const cpu = r.details?.cpuUsPerRequest;
    if (!cpu) throw new Error(`${join(out, f)} has no CPU per request (the ${side}'s bench predates it: compare with a later base)`);
    return { pair, side, scenario: r.scenario, hubUs: cpu.hub, baselineUs: cpu.baseline, ratio: r.ratio, p99: r.p99 };
  }).filter((r) => r.scenario !== 'memory'); // an idle RSS, no CPU per request to compare
}

async function main(): Promise<number> {
  const config = readAbConfig(process.argv.slice(2));
  const base = commitOf(config.base);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const names: Record<AbSide, string> = {
    base: `base ${base.slice(0, 7)}`,
    head: `head ${git(['rev-parse', '--short=7', 'HEAD'])}${dirty ? ' + changes' : ''}`,
  };
  const log = (m: string) => process.stderr.write(`[ab ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // The bench cleans up after itself on SIGTERM; the worktree goes in main's finally.
      interrupted = signal;
      running?.kill('SIGTERM');
    });
  }
  const tmp = mkdtempSync(join(tmpdir(), 'oioi-ab-'));
  const baseDir = join(tmp, 'base');
  const cleanUp = () => {
    running?.kill('SIGTERM');
    spawnSync('git', ['worktree', 'remove', '--force', baseDir], { cwd: repoRoot });
    rmSync(tmp, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: repoRoot });
  };
  // Also when the process dies of an error nothing catches (its stderr closed under it, say),
  // where the finally below never runs: every step is synchronous, and a second run does nothing.
  process.once('exit', cleanUp);
  try {
    log(`${names.base} in a worktree at ${baseDir}, against ${names.head}; ${config.pairs} pair(s) of runs`);
    git(['worktree', 'add', '--detach', '--quiet', baseDir, base]);
    symlinkSync(join(repoRoot, 'node_modules'), join(baseDir, 'node_modules'), 'dir');
    log('compiling the base (tsc -p tsconfig.build.json)');
    await runNode(baseDir, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], 'base build', true);
    const runs: AbRun[] = [];
    for (const { pair, side } of runOrder(config.pairs)) {
      if (interrupted) throw new Error(`interrupted (${interrupted})`);
      const out = join(tmp, `out-${side}-${pair}`);
      await runNode(side === 'base' ? baseDir : repoRoot, ['--import', 'tsx', 'bench/run.ts', ...config.benchArgs, '--out', out], `${side} ${pair}`);
      runs.push(...runsIn(out, pair, side));
    }
    process.stdout.write(abReport(runs, names) + '\n');
    return 0;
  } finally {
    cleanUp();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`bench:ab: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`bench:ab: ${err?.message ?? err}\n`);
    process.exitCode = interrupted ? 130 : 1;
  },
);
