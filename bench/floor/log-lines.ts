/**
 * What an access line costs the hub, written to stdout as the hub writes it (a file, when an
 * operator redirects it): the logger as it is (lines gathered for up to FLUSH_MS, or 64 KiB)
 * against the same lines written once per event-loop turn, as the logger did until 2026-12-08.
 * Each turn logs N lines, then yields (setImmediate), as a hub answering N requests a turn does.
 * Prints to stderr; stdout gets the lines.
 * Usage: `node --import tsx bench/floor/log-lines.ts [lines a turn, default 3] [turns, default 40000] > /tmp/lines`.
 */
import { createLogger, type Logger, type RequestLine } from '../../src/transport/server/logger.js';

const perTurn = Number(process.argv[2] ?? 3);
const turns = Number(process.argv[3] ?? 40_000);
const tick = () => new Promise<void>((r) => setImmediate(r));

/** The logger before: every line of a turn in one write on the next turn. */
function perTurnStream(): { write(chunk: string): boolean } {
  let pending = '';
  return {
    write(chunk) {
      if (pending === '') {
        setImmediate(() => {
          const all = pending;
          pending = '';
          process.stdout.write(all);
        });
      }
      pending += chunk;
      return true;
    },
  };
}

const loggers: Record<string, Logger> = {
  gathered: createLogger({ level: 'info' }),
  'each turn': createLogger({ level: 'info', stream: perTurnStream(), buffered: false }),
};

/** CPU µs a line over `turns` turns (the turn's own cost included, the same for both). */
async function run(log: Logger): Promise<number> {
  const line: RequestLine = { requestId: '', call: 'rfid-verify', partner: 'Verify EMP', status: 200, code: 0, ms: 0.41 };
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < turns; i++) {
    for (let k = 0; k < perTurn; k++) log.request!({ ...line, requestId: `3f2a9c1e-0000-4000-8000-${String(i * perTurn + k).padStart(12, '0')}` });
    await tick();
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / (turns * perTurn);
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const figures: Record<string, number[]> = { gathered: [], 'each turn': [] };
for (const log of Object.values(loggers)) await run(log); // warm-up
for (let r = 0; r < 5; r++) {
  // Alternated, so that a disturbed moment weighs on both.
  for (const name of r % 2 ? ['each turn', 'gathered'] : ['gathered', 'each turn']) figures[name]!.push(await run(loggers[name]!));
}
for (const [name, xs] of Object.entries(figures)) {
  process.stderr.write(`${name.padEnd(9)} ${perTurn} lines a turn: CPU ${median(xs).toFixed(2)} µs a line\n`);
}
