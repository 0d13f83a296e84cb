/**
 * The load generator process: runs autocannon against one URL with the bodies of a plan and prints
 * one JSON line with the figures. It runs pinned to its own core (see load.ts), apart from the server.
 * Started by load.ts with an IPC channel; each message is a LoadJob, each answer its LoadResult.
 */
import autocannon from 'autocannon';
import { bodyMaker, type BodyPlan } from './bodies.js';

/** One load run. `duration` (seconds) or `amount` (requests) ends it. */
export interface LoadJob {
  url: string;
  apiKey: string;
  plan: BodyPlan;
  /** Index of the first body (runs of one scenario use disjoint ranges, so CDRs stay new). */
  offset: number;
  connections: number;
  duration?: number;
  amount?: number;
  /** With `amount`: stop after this many seconds even if not all requests were sent (a busy machine). */
  maxSeconds?: number;
}

/** What one run measured. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Answers whose result code was not 0, HTTP errors, timeouts. */
  failed: number;
  errors: number;
  /** The first failed answer, to say why. */
  firstFailure?: string;
  /** Mean answer body size in bytes. */
  answerBytes: number;
}

/** Runs one job to its end. */
function run(job: LoadJob): Promise<LoadResult> {
  const make = bodyMaker(job.plan);
  let n = job.offset;
  let failed = 0;
  let answered = 0;
  let answerBytes = 0;
  let firstFailure: string | undefined;
  // The run's time is ours, from its first request to its last answer: autocannon reports its
  // result on its next one-second tick, so a run ended by a request count (`amount`) counted up to
  // a second more than it took.
  let started = 0;
  let lastAnswer = 0;
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const instance = autocannon(
      {
        url: job.url,
        method: 'POST',
        headers: { authorization: `key=${job.apiKey}`, 'content-type': 'application/json' },
        connections: job.connections,
        pipelining: 1,
        timeout: 30,
        ...(job.amount !== undefined ? { amount: job.amount } : { duration: job.duration ?? 10 }),
        requests: [
          {
            setupRequest: (req: any) => {
              if (started === 0) started = performance.now();
              req.body = make(n++);
              return req;
            },
            onResponse: (status: number, body: string) => {
              lastAnswer = performance.now();
              answered++;
              answerBytes += body.length;
              // Success of OIOI is result code 0 with HTTP 200 (a 181 also comes with 200).
              if (status !== 200 || !body.startsWith('{"result":{"code":0,')) {
                failed++;
                firstFailure ??= `${status} ${body.slice(0, 300)}`;
              }
            },
          },
        ],
      },
      (err: Error | null, result: any) => {
        clearTimeout(timer);
        if (err) return reject(err);
        const seconds = answered > 0 ? Math.round(lastAnswer - started) / 1000 : (result.duration as number);
        resolve({
          requests: result.requests.total,
          seconds,
          rps: result.requests.total / seconds,
          p50: result.latency.p50,
          p99: result.latency.p99,
          failed: failed + result.errors + result.timeouts,
          errors: result.errors + result.timeouts,
          answerBytes: answered ? Math.round(answerBytes / answered) : 0,
          ...(firstFailure ? { firstFailure } : {}),
        });
      },
    );
    if (job.amount !== undefined && job.maxSeconds !== undefined) timer = setTimeout(() => instance.stop(), job.maxSeconds * 1000);
  });
}

// One process serves every job of a run (started once, pinned once): jobs come and results go
// over the IPC channel, one at a time.
process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!({ ok: true, result }),
    (err: Error) => process.send!({ ok: false, error: String(err?.message ?? err) }),
  );
});
process.on('disconnect', () => process.exit(0));
