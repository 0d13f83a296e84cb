/**
 * The fuzz property: whatever a partner with a valid key sends, the hub answers in time with a
 * coded JSON answer, never a 5xx; every refusal (4xx) commits nothing; bodies no reading could
 * accept are refused. Shared by the quick run inside `npm test` and the long `npm run fuzz`.
 * Example: `const summary = await runFuzz({ runs: 2000, seed: 42 }); console.log(formatSummary(summary))`.
 */
import fc from 'fast-check';
import { fuzzInput, type FuzzInput } from './inputs.js';
import { startFuzzTarget, type FuzzAnswer, type FuzzTarget } from './target.js';

export interface FuzzSummary {
  runs: number;
  seed: number;
  ms: number;
  /** Answers by `HTTP status/result code`. */
  outcomes: Record<string, number>;
  /** Inputs by kind and whether they were accepted (2xx) or refused (4xx). */
  kinds: Record<string, { accepted: number; refused: number }>;
}

/** Which result codes each refusal status may carry (shared/protocol.md's transport table). */
const codesOfStatus: Record<number, number[]> = { 400: [200, 230], 401: [210], 403: [211, 220], 413: [230], 415: [230], 429: [200] };

/** Throws with a readable reason when `answer` breaks the property for `input`. */
export function checkAnswer(input: FuzzInput, answer: FuzzAnswer, changed: boolean): void {
  const why = (what: string) => new Error(`${what}: ${input.kind} ${input.call} as ${input.role} -> HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
  if (answer.status >= 500) throw why('server error');
  if (!/^application\/json\b/.test(answer.contentType ?? '')) throw why(`content type ${answer.contentType}`);
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    throw why('answer is not JSON');
  }
  const code = body?.result?.code;
  if (!Number.isInteger(code) || typeof body.result.message !== 'string') throw why('answer without result.code and message');
  if (answer.status >= 400) {
    if (!(codesOfStatus[answer.status] ?? []).includes(code)) throw why(`code ${code} does not go with HTTP ${answer.status}`);
    if (changed) throw why('a refused request changed storage');
  } else if (answer.status !== 200) throw why('unexpected status');
  else if (input.mustFail) throw why('accepted a body that must be refused');
}

/**
 * Tells whether storage changed across one request. SQLite's data_version is the cheap test; when
 * it moved, a content hash decides (the outbox worker's own bookkeeping does not count). The hash
 * of the state before is kept between refused requests and retaken only after accepted ones.
 */
class ChangeProbe {
  private baseline: string | undefined;
  private version = 0;
  constructor(private readonly t: FuzzTarget) {}
  before(): void {
    this.baseline ??= this.t.snapshot();
    this.version = this.t.dataVersion();
  }
  /** Whether the request in between changed anything; `accepted` drops the baseline. */
  after(accepted: boolean): boolean {
    if (accepted) {
      this.baseline = undefined;
      return false;
    }
    if (this.t.dataVersion() === this.version) return false;
    const now = this.t.snapshot();
    const changed = now !== this.baseline;
    this.baseline = now;
    return changed;
  }
}

/** Sends one input and checks the answer; the change probe brackets the request. */
async function probe(t: FuzzTarget, changes: ChangeProbe, input: FuzzInput, s: FuzzSummary): Promise<void> {
  changes.before();
  const answer = await t.send(input.role, input.body);
  const changed = changes.after(answer.status < 300);
  checkAnswer(input, answer, changed);
  const outcome = `${answer.status}/${JSON.parse(answer.text).result.code}`;
  s.outcomes[outcome] = (s.outcomes[outcome] ?? 0) + 1;
  const k = (s.kinds[input.kind] ??= { accepted: 0, refused: 0 });
  if (answer.status < 300) k.accepted++;
  else k.refused++;
}

/**
 * Runs `runs` inputs against a fresh hub; throws (with fast-check's shrunk counterexample and
 * seed) on the first breach. `onProgress` is called every 10000 inputs.
 */
export async function runFuzz({ runs, seed = Date.now() % 2 ** 31, onProgress }: { runs: number; seed?: number; onProgress?: (done: number) => void }): Promise<FuzzSummary> {
  const t = await startFuzzTarget();
  const changes = new ChangeProbe(t);
  const summary: FuzzSummary = { runs, seed, ms: 0, outcomes: {}, kinds: {} };
  const start = Date.now();
  let done = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fuzzInput(t.pids, t.served), async (input) => {
        await probe(t, changes, input, summary);
        if (++done % 10_000 === 0) onProgress?.(done);
      }),
      { numRuns: runs, seed, endOnFailure: false, maxSkipsPerRun: 0 },
    );
    // Nothing a body held may have leaked into the prototypes the hub's objects share.
    if (({} as Record<string, unknown>).polluted !== undefined || (Object.prototype as Record<string, unknown>).polluted !== undefined) throw new Error('Object.prototype was polluted');
    // Still up and answering after everything it was sent.
    const alive = await t.send('cpo', '{"api-minimum-version-number":{}}');
    if (alive.status !== 200) throw new Error(`the hub stopped answering: ${alive.status} ${alive.text}`);
  } finally {
    summary.ms = Date.now() - start;
    await t.stop();
  }
  return summary;
}

/** A few lines for people: totals, outcomes and kinds. */
export function formatSummary(s: FuzzSummary): string {
  const lines = [`fuzz: ${s.runs} inputs in ${(s.ms / 1000).toFixed(1)} s (seed ${s.seed}): no 5xx, no hang, no refused request changed storage`];
  lines.push('  answers (HTTP/code): ' + Object.entries(s.outcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} x${n}`).join(', '));
  for (const [kind, n] of Object.entries(s.kinds).sort()) lines.push(`  ${kind.padEnd(22)} accepted ${String(n.accepted).padStart(7)}  refused ${String(n.refused).padStart(7)}`);
  return lines.join('\n');
}
