/**
 * `npm run bench:ab`: the comparison of the working tree with a base revision works end to end
 * (a worktree built and benchmarked, alternated runs, one verdict per scenario), refuses flags it
 * cannot run with, and leaves no worktree, folder or process behind, interrupted or not.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { abReport, abVerdicts, median, runOrder, type AbRun } from '../bench/ab-summary.js';
import { processesNaming, processesNamingAfter, runScript } from './support/processes.js';

const run = (pair: number, side: 'base' | 'head', hubUs: number, baselineUs = 30, scenario = 'status'): AbRun =>
  ({ pair, side, scenario, hubUs, baselineUs, ratio: baselineUs / hubUs, p99: 10 });

describe('bench:ab verdicts', () => {
  it('should alternate the sides: base first in odd pairs, head first in even ones', () => {
    assert.deepEqual(runOrder(3).map((r) => `${r.side} ${r.pair}`), ['base 1', 'head 1', 'head 2', 'base 2', 'base 3', 'head 3']);
  });

  it('should take the median, the mean of the middle two for an even count', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it('should compare hub CPU over baseline CPU, not the hub alone, and count the pairs the head won', () => {
    // pair 2 ran on a busy minute: the hub's figure rose with the baseline's, its cost did not
    const runs = [run(1, 'base', 90), run(1, 'head', 75), run(2, 'head', 150, 60), run(2, 'base', 180, 60), run(3, 'base', 84), run(3, 'head', 87)];
    const [v] = abVerdicts(runs);
    assert.equal(v!.scenario, 'status');
    assert.equal(v!.baseCost, 3);
    assert.equal(v!.headCost, 2.5);
    assert.ok(Math.abs(v!.change - -1 / 6) < 1e-9);
    assert.deepEqual([v!.headCheaper, v!.pairs], [2, 3]);
  });

  it('should judge each scenario apart and leave out a pair missing a side', () => {
    const runs = [run(1, 'base', 60, 30, 'verify'), run(1, 'head', 66, 30, 'verify'), run(1, 'base', 90), run(1, 'head', 60), run(2, 'base', 90)];
    const verdicts = abVerdicts(runs);
    assert.deepEqual(verdicts.map((v) => [v.scenario, v.headCheaper, v.pairs]), [['verify', 0, 1], ['status', 1, 1]]);
    const report = abReport(runs, { base: 'base abc1234', head: 'head def5678' });
    assert.match(report, /\| verify \| 1 \| base abc1234 \| 60 \| 30 \| 2\.00 \|/);
    assert.match(report, /verify: hub \/ baseline CPU 2\.00 on the base, 2\.20 on the head \(median\), \+10\.0%; the head cost less in 0 of 1 pair$/m);
    assert.match(report, /status: hub \/ baseline CPU 3\.00 on the base, 2\.00 on the head \(median\), -33\.3%; the head cost less in 1 of 1 pair$/m);
  });
});

/** Runs `bench/ab.ts` with `args`. */
const ab = (args: string[], interruptOn?: RegExp) => runScript('bench/ab.ts', args, { interruptOn });

const worktrees = () => spawnSync('git', ['worktree', 'list', '--porcelain'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('worktree ')).length;

/** The temporary folder the comparison names on its first line. */
function tmpOf(stderr: string): string {
  const dir = /in a worktree at (\S+)\/base/.exec(stderr)?.[1];
  assert.ok(dir, `no worktree named in:\n${stderr}`);
  return dir;
}

describe('npm run bench:ab', () => {
  it('should refuse what it cannot run with: exit 2, the problem and the usage line', async () => {
    for (const [args, problem] of [
      [[], /--base names the revision/],
      [['--base', 'no-such-revision-anywhere'], /--base no-such-revision-anywhere: no such commit/],
      [['--base', 'HEAD', '--pairs', '0'], /--pairs takes a whole number from 1 to 20/],
      [['--base', 'HEAD', '--', '--out', '/tmp/x'], /leave --out out/],
      [['--base', 'HEAD', '--', '--scenario', 'nope'], /nope/],
    ] as const) {
      const { code, stderr } = await ab([...args]);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, problem);
      assert.match(stderr, /usage: npm run bench:ab -- --base REV/);
      // the bench's own usage line only when one of the bench's flags is the problem
      if ((args as readonly string[]).includes('--scenario')) assert.match(stderr, /usage: npm run bench -- \[--quick\]/);
      else assert.doesNotMatch(stderr, /usage: npm run bench -- /);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    }
  });

  it('should compare the working tree with a base and leave no worktree behind', { timeout: 240_000 }, async () => {
    const before = worktrees();
    const { code, stdout, stderr } = await ab(['--base', 'HEAD', '--pairs', '1', '--', '--quick', '--duration', '1', '--scenario', 'verify']);
    assert.equal(code, 0, stderr.slice(-3000));
    const rows = stdout.split('\n').filter((l) => l.startsWith('| verify |')).map((l) => l.split('|').map((c) => c.trim()));
    assert.deepEqual(rows.map((r) => `${r[2]} ${r[3]!.split(' ')[0]}`), ['1 base', '1 head']);
    for (const r of rows) assert.ok(Number(r[4]) > 0 && Number(r[5]) > 0, `CPU per request in ${r.join('|')}`);
    assert.match(stdout, /verify: hub \/ baseline CPU \d+\.\d\d on the base, \d+\.\d\d on the head \(median\), [+-]?\d+\.\d%; the head cost less in [01] of 1 pair$/m);
    assert.match(stderr, /\[base 1\] \[bench [\d:]+\] verify: CPU per request/);
    assert.equal(worktrees(), before);
    assert.equal(existsSync(tmpOf(stderr)), false);
  });

  it('should stop on an interrupt during the base build, removing the worktree and its folder', { timeout: 120_000 }, async () => {
    const before = worktrees();
    const { code, stdout, stderr } = await ab(['--base', 'HEAD', '--', '--quick', '--scenario', 'verify'], /compiling the base/);
    assert.equal(code, 130, stderr);
    assert.match(stderr, /bench:ab: interrupted \(SIGINT\)/);
    assert.equal(stdout, '');
    assert.equal(worktrees(), before);
    const tmp = tmpOf(stderr);
    assert.equal(existsSync(tmp), false);
    assert.deepEqual(processesNaming(tmp), []);
  });

  it('should remove the worktree and its folder when its output closes under it', { timeout: 120_000 }, async () => {
    // As under `npm run bench:ab … | head`: a log line fails with EPIPE, an error nothing catches.
    const before = worktrees();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ab.ts', '--base', 'HEAD', '--', '--quick', '--duration', '1', '--scenario', 'verify'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/compiling the base/.test(stderr)) child.stdout.destroy(), child.stderr.destroy();
    });
    await new Promise((r) => child.once('exit', r));
    const tmp = tmpOf(stderr);
    // the bench it started, if any, ends on its own EPIPE
    assert.deepEqual(await processesNamingAfter(tmp, 30_000), []);
    assert.equal(worktrees(), before);
    assert.equal(existsSync(tmp), false);
  });
});
