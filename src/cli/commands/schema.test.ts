import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const mainUrl = new URL('../main.ts', import.meta.url).href;

/**
 * Runs `main(argv)` for each argv, one after the other, in one worker thread, capturing what each
 * run writes. The worker has its own process.stdout, so the test runner's reporting (which also
 * goes to stdout) cannot mix with the command's output.
 */
function runAll(argvs: string[][]): Promise<RunResult[]> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    (async () => {
      // Worker threads do not inherit the test's TypeScript loader: register tsx in this one.
      (await import('tsx/esm/api')).register();
      const { main } = await import(workerData.mainUrl);
      const results = [];
      for (const argv of workerData.argvs) {
        const out = [], err = [];
        const ow = process.stdout.write, ew = process.stderr.write;
        process.stdout.write = (c) => (out.push(String(c)), true);
        process.stderr.write = (c) => (err.push(String(c)), true);
        try {
          results.push({ code: await main(argv), stdout: out.join(''), stderr: err.join('') });
        } finally {
          process.stdout.write = ow;
          process.stderr.write = ew;
        }
      }
      parentPort.postMessage({ results });
    })().catch((e) => parentPort.postMessage({ error: String(e?.stack ?? e) }));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { mainUrl, argvs } });
    worker.once('message', (m: { results?: RunResult[]; error?: string }) => {
      if (m.results) resolve(m.results);
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code} before answering`)));
  });
}

describe('oioi schema', () => {
  let request: RunResult, response: RunResult, unknown: RunResult, none: RunResult;
  before(async () => {
    [request, response, unknown, none] = (await runAll([
      ['schema', 'connector-post-status'],
      ['schema', 'connector-post-status', '--response'],
      ['schema', 'no-such-call'],
      ['schema'],
    ])) as [RunResult, RunResult, RunResult, RunResult];
  });

  it('should print the request schema of a call', () => {
    assert.equal(request.code, 0);
    const schema = JSON.parse(request.stdout);
    assert.equal(schema.title, 'connector-post-status request');
    assert.deepEqual(schema.required, ['connector-post-status']);
    assert.ok(schema.properties['connector-post-status']);
  });

  it('should print the response schema with --response', () => {
    assert.equal(response.code, 0);
    const schema = JSON.parse(response.stdout);
    assert.equal(schema.title, 'connector-post-status response');
    assert.ok(schema.properties.result);
  });

  it('should exit 2 on an unknown call', () => {
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stdout, '');
    assert.match(unknown.stderr, /unknown call 'no-such-call'/);
  });

  it('should exit 2 when no call is named', () => {
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name a call/);
  });
});
