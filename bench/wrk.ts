/**
 * The baseline's load, driven by wrk (Debian's `wrk` package) when it is installed: autocannon
 * parses every answer in JavaScript on its one core and cannot keep a bare node:http server's core
 * busy (41% with the surface's 24 KB answers), so the baseline's rate would be the generator's.
 * wrk, in C, holds it at its core's limit. The baseline only parses a body and answers a constant,
 * so one representative body of the scenario's plan, sent again and again, loads it as the plan's
 * bodies would. The hub keeps autocannon's varying bodies (new sessions, new stations).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadResult } from './load.js';
import { LOAD_CORE, pinTo } from './processes.js';

let installed: boolean | undefined;

/** Whether `wrk` can be run here. Example: `if (wrkInstalled()) …`. */
export function wrkInstalled(): boolean {
  installed ??= spawnSync('wrk', ['-v'], { stdio: 'ignore' }).error === undefined;
  return installed;
}

/** One wrk run against a server answering `answerBytes` per request. */
export interface WrkJob {
  url: string;
  apiKey: string;
  /** The JSON body of every request. */
  body: string;
  connections: number;
  /** Whole seconds (wrk's own unit), at least 1. */
  seconds: number;
  answerBytes: number;
  /** A folder for the script and the body. */
  dir: string;
}

/** Prints the run's figures as one JSON line at its end (wrk's `done` hook; latencies in µs). */
const SCRIPT = `
local f = assert(io.open(os.getenv("OIOI_WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "key=" .. os.getenv("OIOI_WRK_KEY")
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nOIOI_WRK {"requests":%d,"us":%d,"p50":%d,"p99":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status, e.connect, e.read, e.write, e.timeout))
end
`;

/** Reads the JSON line of SCRIPT's `done` from wrk's output; throws with the output when it is missing. */
export function parseWrkOutput(output: string, answerBytes: number): LoadResult {
  const line = /OIOI_WRK (\{.*\})/.exec(output)?.[1];
  if (!line) throw new Error(`wrk printed no figures: ${output.trim().slice(-500)}`);
  const r = JSON.parse(line) as { requests: number; us: number; p50: number; p99: number; status: number; connect: number; read: number; write: number; timeout: number };
  const seconds = r.us / 1e6;
  const errors = r.connect + r.read + r.write + r.timeout;
  const failed = r.status + errors;
  return {
    requests: r.requests,
    seconds,
    rps: r.requests / seconds,
    // ms to a tenth: a bare server's median is often under one.
    p50: Math.round(r.p50 / 100) / 10,
    p99: Math.round(r.p99 / 100) / 10,
    failed,
    errors,
    answerBytes,
    ...(failed > 0 ? { firstFailure: `wrk: ${r.status} answers not 2xx/3xx, ${errors} socket errors` } : {}),
  };
}

/** wrk processes still running: stopped with the rest of the load when a run ends early. */
const running = new Set<ChildProcess>();

/** Kills every wrk still running (an interrupted run). Example: `process.on('exit', stopWrk)`. */
export function stopWrk(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * Runs wrk (one thread, pinned to the load core) for `seconds` against `url`.
 * Example: `await runWrk({ url, apiKey: 'baseline', body, connections: 50, seconds: 6, answerBytes: 42, dir })`.
 */
export function runWrk(job: WrkJob): Promise<LoadResult> {
  const script = join(job.dir, 'baseline.lua');
  const bodyFile = join(job.dir, 'baseline-body.json');
  writeFileSync(script, SCRIPT);
  writeFileSync(bodyFile, job.body);
  const argv = ['wrk', '-t1', `-c${job.connections}`, `-d${Math.max(1, Math.round(job.seconds))}s`, '--timeout', '30s', '-s', script, job.url];
  const [cmd, ...args] = [...pinTo(LOAD_CORE), ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { env: { ...process.env, OIOI_WRK_BODY: bodyFile, OIOI_WRK_KEY: job.apiKey }, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c));
    child.stderr.on('data', (c: Buffer) => (output += c));
    child.once('error', (error) => {
      running.delete(child);
      reject(error);
    });
    child.once('close', () => {
      running.delete(child);
      try {
        resolve(parseWrkOutput(output, job.answerBytes));
      } catch (error) {
        reject(error);
      }
    });
  });
}
