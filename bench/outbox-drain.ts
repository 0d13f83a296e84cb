/**
 * How fast the outbox gives up a backlog: the storage side of draining it after a partner's outage,
 * without HTTP. Loads `open` open entries for two partners (two thirds for one), one session each,
 * then repeats what the worker does per round: `due` of up to 8 entries per partner (the worker's
 * `perPartner`), then the delivered marks of the entries it answered, side by side. Prints the
 * milliseconds per round and per entry, each the best of three runs of `rounds` rounds.
 *
 *   node --import tsx bench/outbox-drain.ts [--db URL] [--open 100000] [--rounds 50]
 *
 * `--db` names an empty database (a PostgreSQL one is filled with tables here); the default is a
 * SQLite file in a temporary folder. On PostgreSQL `due` also claims what it answers.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStorage } from '../src/storage/index.js';
import { benchPartner } from './seed.js';
import { scratchDir } from './scratch.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const tmp = scratchDir('oioi-outbox-drain-');
const url = flag('--db', `sqlite:${join(tmp, 'hub.db')}`);
const OPEN = Number(flag('--open', '100000'));
const ROUNDS = Number(flag('--rounds', '50'));

const storage = await openStorage(url);
try {
  const partners = [await benchPartner(storage, 'drain-a', ['emp']), await benchPartner(storage, 'drain-b', ['emp'])];
  const now = Date.now();
  const padding = 'x'.repeat(600); // about the size of a CDR's payload
  for (let done = 0; done < OPEN; done += 5000) {
    const n = Math.min(5000, OPEN - done);
    await storage.outbox.enqueue(Array.from({ length: n }, (_, i) => {
      const k = done + i;
      return { partnerId: partners[k % 3 === 0 ? 1 : 0]!.id, call: 'session-post', payload: { 'session-id': `drain-${k}`, padding }, subject: `drain-${k}` };
    }), now);
  }
  let bestRound = Infinity;
  let bestEntry = Infinity;
  for (let run = 0; run < 3; run++) {
    let entries = 0;
    const t0 = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      const due = await storage.outbox.due(Date.now(), 64, undefined, { perPartner: 8 });
      await Promise.all(due.map((e) => storage.outbox.markDelivered(e.id, Date.now(), 0)));
      entries += due.length;
    }
    const ms = performance.now() - t0;
    bestRound = Math.min(bestRound, ms / ROUNDS);
    bestEntry = Math.min(bestEntry, ms / Math.max(entries, 1));
  }
  console.log(`${url.split(':')[0]}, ${OPEN} open entries: ${bestRound.toFixed(2)} ms per round, ${bestEntry.toFixed(2)} ms per entry (best of 3 x ${ROUNDS} rounds)`);
} finally {
  await storage.close();
  rmSync(tmp, { recursive: true, force: true });
}
