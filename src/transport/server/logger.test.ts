/** The JSON-lines logger: lines gathered into few writes on buffered streams, errors soon, nothing lost at exit. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createLogger, FLUSH_MS, hundredths, type Logger, type RequestLine } from './logger.js';

describe('createLogger', () => {
  it('should gather info lines of several turns into one write, time and level first', async () => {
    const writes: string[] = [];
    const log = createLogger({ level: 'info', stream: { write: (c: string) => writes.push(c) }, buffered: true });
    log.info({ requestId: 'a', status: 200 });
    await new Promise((r) => setImmediate(r));
    log.request!({ requestId: 'b', status: 200, code: 0, ms: 1 });
    await new Promise((r) => setImmediate(r));
    assert.equal(writes.length, 0, 'info lines wait past the turn');
    await new Promise((r) => setTimeout(r, FLUSH_MS + 20));
    assert.equal(writes.length, 1);
    const lines = writes[0]!.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => [Object.keys(l).slice(0, 2), l.level, l.requestId]), [[['time', 'level'], 'info', 'a'], [['time', 'level'], 'info', 'b']]);
    assert.equal(lines[0].status, 200);
    assert.ok(!Number.isNaN(Date.parse(lines[0].time)));
  });

  it('should write an error or a warning on the next turn, with the lines before it', async () => {
    const urgent: Array<[level: string, log: (l: Logger) => void]> = [
      ['warn', (l) => l.warn({ msg: 'slow' })],
      ['error', (l) => l.error({})],
      ['error', (l) => l.request!({ requestId: 'c', status: 500, code: 100, ms: 2 })],
    ];
    for (const [level, logUrgent] of urgent) {
      const writes: string[] = [];
      const log = createLogger({ level: 'info', stream: { write: (c: string) => writes.push(c) }, buffered: true });
      log.info({ n: 1 });
      logUrgent(log);
      assert.equal(writes.length, 0, 'nothing written within the turn');
      await new Promise((r) => setImmediate(r));
      assert.equal(writes.length, 1);
      assert.deepEqual(writes[0]!.trimEnd().split('\n').map((l) => JSON.parse(l).level), ['info', level]);
    }
  });

  it('should read OIOI_LOG as one of its four levels, and anything else as info', () => {
    const saved = process.env.OIOI_LOG;
    try {
      // `in` also found Object.prototype's keys: OIOI_LOG=constructor made a logger that wrote nothing.
      for (const [env, lines] of [['WARN', 1], ['silent', 0], ['__proto__', 2], ['constructor', 2], ['loud', 2]] as const) {
        process.env.OIOI_LOG = env;
        const writes: string[] = [];
        const log = createLogger({ stream: { write: (c: string) => writes.push(c) } });
        log.info({});
        log.warn({});
        assert.equal(writes.length, lines, `OIOI_LOG=${env}`);
      }
    } finally {
      if (saved === undefined) delete process.env.OIOI_LOG;
      else process.env.OIOI_LOG = saved;
    }
  });

  it('should write at once past 64 KiB, and every line at once on an unbuffered stream', () => {
    const writes: string[] = [];
    const log = createLogger({ level: 'info', stream: { write: (c: string) => writes.push(c) }, buffered: true });
    for (let i = 0; i < 700; i++) log.info({ pad: 'x'.repeat(100) });
    assert.ok(writes.length >= 1, 'flushed when the buffer passed 64 KiB');
    const direct: string[] = [];
    createLogger({ level: 'info', stream: { write: (c: string) => direct.push(c) } }).info({ a: 1 });
    assert.equal(direct.length, 1);
  });

  it('should write pending stdout lines when the process exits right after logging, or ends with nothing left to do', () => {
    for (const end of ['process.exit(0);', '']) {
      const code = `import('./src/transport/server/logger.ts').then(({ createLogger }) => { const l = createLogger({ level: 'info' }); for (let i = 0; i < 3; i++) l.info({ n: i }); ${end} })`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).n), [0, 1, 2], end || 'no exit call');
    }
  });

  it('should write a request line as info or error would write the same object, key for key', () => {
    const byHand: string[] = [];
    const generic: string[] = [];
    const fast = createLogger({ level: 'info', stream: { write: (c: string) => byHand.push(c) } });
    const slow = createLogger({ level: 'info', stream: { write: (c: string) => generic.push(c) } });
    const lines: RequestLine[] = [
      { requestId: 'abc-1', call: 'rfid-verify', partner: 'EMP 0', status: 200, code: 0, ms: 0.35 },
      { requestId: 'q"uote\\back', call: undefined, partner: undefined, status: 401, code: 210, ms: 12 },
      { requestId: 'x', call: 'session-post', partner: 'Stadtwerke Münster ⚡ \u0001 "CPO" \ud800', status: 500, code: 100, ms: 1234.5 },
      { requestId: 'y', call: 'weird\ncall', partner: '', status: 503, code: 101, ms: 0 },
    ];
    for (const l of lines) {
      fast.request!(l);
      (l.status >= 500 ? slow.error : slow.info)(l);
    }
    const withoutTime = (text: string) => text.replace(/^\{"time":"[^"]+",/, '{');
    assert.deepEqual(byHand.map(withoutTime), generic.map(withoutTime));
    assert.deepEqual(byHand.map((l) => JSON.parse(l).level), ['info', 'info', 'error', 'error']);
    assert.deepEqual(JSON.parse(byHand[2]!).partner, lines[2]!.partner);
  });

  it('should leave out the request lines its level leaves out', () => {
    const writes: string[] = [];
    const log = createLogger({ level: 'error', stream: { write: (c: string) => writes.push(c) } });
    log.request!({ requestId: 'a', status: 200, code: 0, ms: 1 });
    log.request!({ requestId: 'b', status: 500, code: 100, ms: 1 });
    assert.deepEqual(writes.map((w) => JSON.parse(w).requestId), ['b']);
    createLogger({ level: 'silent', stream: { write: (c: string) => writes.push(c) } }).request!({ requestId: 'c', status: 500, code: 100, ms: 1 });
    assert.equal(writes.length, 1);
  });

  it('should print a time in hundredths as JSON.stringify prints it', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const raw = i < 10_000 ? i / 100 : Math.random() * 10 ** (i % 8);
      const x = Math.round(raw * 100) / 100;
      assert.equal(hundredths(x), JSON.stringify(x), `${x}`);
      seen.add(hundredths(x).replace(/\d/g, '9'));
    }
    for (const x of [-0, 0.1 + 0.2, 1e21, -1.5, NaN, Infinity]) assert.equal(hundredths(x), JSON.stringify(x) ?? 'null', `${x}`);
    assert.ok(seen.has('9.99') && seen.has('9.9') && seen.has('9'), [...seen].join(' '));
  });
});
