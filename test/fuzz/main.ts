/**
 * `npm run fuzz [-- --runs N] [--seed S]`: the long hostile-input run against an in-process hub
 * (default 100000 inputs, or OIOI_FUZZ_RUNS / OIOI_FUZZ_SEED). Prints a summary; exits 1 with the
 * shrunk counterexample and its seed when the hub breaks the property.
 */
import { parseArgs } from 'node:util';
import { formatSummary, runFuzz } from './run-fuzz.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' } } });
const runs = Number(values.runs ?? process.env.OIOI_FUZZ_RUNS ?? 100_000);
const seedText = values.seed ?? process.env.OIOI_FUZZ_SEED;
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write('fuzz: --runs takes a whole number >= 1\n');
  process.exit(2);
}
const seed = seedText === undefined ? Date.now() % 2 ** 31 : Number(seedText);
process.stdout.write(`fuzz: ${runs} inputs, seed ${seed}\n`);
try {
  const summary = await runFuzz({ runs, seed, onProgress: (n) => process.stdout.write(`  ${n} inputs\n`) });
  process.stdout.write(formatSummary(summary) + '\n');
} catch (err) {
  process.stderr.write(`fuzz: FAILED (seed ${seed})\n${(err as Error).message}\n${String((err as Error).cause ?? '')}\n${process.env.OIOI_FUZZ_STACK ? (err as Error).stack : ""}\n`);
  process.exit(1);
}
