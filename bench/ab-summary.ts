/**
 * What `npm run bench:ab` prints: each run's CPU per request, hub and baseline, and per scenario
 * whether the head costs less than the base. The figure compared is the hub's CPU per request
 * over the baseline's in the same run ("cost"): the machine's neighbours move both alike, so the
 * quotient drifts less between runs than either (bench/README.md, Method).
 */

/** One side of the comparison. */
export type AbSide = 'base' | 'head';

/** One scenario's figures from one run of `bench/run.ts` (its result file). */
export interface AbRun {
  pair: number;
  side: AbSide;
  scenario: string;
  hubUs: number;
  baselineUs: number;
  ratio: number;
  p99: number;
}

/**
 * The order of the runs: base then head in odd pairs, head then base in even ones, so that a drift
 * over the session (a neighbour arriving, a cache warming) weighs on both sides.
 * Example: `runOrder(2)` -> base 1, head 1, head 2, base 2.
 */
export function runOrder(pairs: number): Array<{ pair: number; side: AbSide }> {
  const order: Array<{ pair: number; side: AbSide }> = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const sides: AbSide[] = pair % 2 ? ['base', 'head'] : ['head', 'base'];
    for (const side of sides) order.push({ pair, side });
  }
  return order;
}

/** The hub's CPU per request over the baseline's: lower is better. */
export const costOf = (r: AbRun): number => r.hubUs / r.baselineUs;

/** The median of `xs` (the mean of the middle two for an even count). Example: `median([3, 1, 2]) === 2`. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The verdict on one scenario. */
export interface AbVerdict {
  scenario: string;
  baseCost: number;
  headCost: number;
  /** (head - base) / base of the median costs: negative when the head costs less. */
  change: number;
  /** Pairs in which the head cost less than the base, of the pairs that have both sides. */
  headCheaper: number;
  pairs: number;
}

/** Each scenario's verdict, in the order the scenarios first appear. Example: `abVerdicts(runs)[0].change`. */
export function abVerdicts(runs: readonly AbRun[]): AbVerdict[] {
  const scenarios = [...new Set(runs.map((r) => r.scenario))];
  return scenarios.map((scenario) => {
    const of = runs.filter((r) => r.scenario === scenario);
    const cost = (side: AbSide) => median(of.filter((r) => r.side === side).map(costOf));
    const baseCost = cost('base');
    const headCost = cost('head');
    let headCheaper = 0;
    let pairs = 0;
    for (const pair of new Set(of.map((r) => r.pair))) {
      const base = of.find((r) => r.pair === pair && r.side === 'base');
      const head = of.find((r) => r.pair === pair && r.side === 'head');
      if (!base || !head) continue;
      pairs++;
      if (costOf(head) < costOf(base)) headCheaper++;
    }
    return { scenario, baseCost, headCost, change: (headCost - baseCost) / baseCost, headCheaper, pairs };
  });
}

const fixed = (x: number, digits: number) => x.toFixed(digits);

/**
 * The printed comparison: one row per run, then one line per scenario.
 * Example: `abReport(runs, { base: 'base 2833975', head: 'head (working tree)' })`.
 */
export function abReport(runs: readonly AbRun[], names: Record<AbSide, string>): string {
  const lines = ['| scenario | pair | side | hub µs/req | baseline µs/req | hub / baseline | ratio | p99 ms |', '|---|---|---|---|---|---|---|---|'];
  for (const r of runs) {
    lines.push(`| ${r.scenario} | ${r.pair} | ${names[r.side]} | ${fixed(r.hubUs, 0)} | ${fixed(r.baselineUs, 0)} | ${fixed(costOf(r), 2)} | ${fixed(r.ratio, 2)} | ${r.p99} |`);
  }
  lines.push('');
  for (const v of abVerdicts(runs)) {
    const sign = v.change > 0 ? '+' : '';
    lines.push(`${v.scenario}: hub / baseline CPU ${fixed(v.baseCost, 2)} on the base, ${fixed(v.headCost, 2)} on the head (median), ${sign}${fixed(v.change * 100, 1)}%; the head cost less in ${v.headCheaper} of ${v.pairs} pair${v.pairs === 1 ? '' : 's'}`);
  }
  return lines.join('\n');
}
