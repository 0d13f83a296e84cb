/**
 * What connector-post-status would cost with statuses kept in memory and made durable by an
 * append-only log instead of a B-tree write: per post, a look-up of the EVSE key among 100k, the
 * owner check, the status set in typed arrays and a log line; per batch of posts (one event-loop
 * turn, as the hub commits them), one write of the lines and one fdatasync on libuv's thread pool.
 * Nothing of the hub uses this; it measures the floor of that design against the one the hub has
 * (`bench/writes-micro.ts status`). Process CPU per status, every thread.
 * Usage: `node --import tsx bench/floor/status-log.ts [batch, default 25] [posts, default 200000]`.
 */
import { closeSync, fdatasync, openSync, rmSync, write } from 'node:fs';
import { join } from 'node:path';
import { evseIdOf } from '../bodies.js';
import { evseKey } from '../../src/protocol/identifiers/evse-id.js';
import { scratchDir } from '../scratch.js';

const batch = Number(process.argv[2] ?? 25);
const posts = Number(process.argv[3] ?? 200_000);
const CONNECTORS = 100_000;
const STATUSES = ['Available', 'Occupied', 'Offline'];
const dir = scratchDir('oioi-floor-status-');
const fd = openSync(join(dir, 'status.log'), 'w');

const slotOf = new Map<string, number>();
const owner = new Int32Array(CONNECTORS).fill(1);
const status = new Uint8Array(CONNECTORS);
const changedAt = new Float64Array(CONNECTORS);
for (let i = 0; i < CONNECTORS; i++) slotOf.set(evseKey(evseIdOf('TXX', i)), i);

let seed = 12345;
const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
const ids = Array.from({ length: posts }, () => evseIdOf('TXX', Math.floor(random() * CONNECTORS)));
const values = Array.from({ length: posts }, () => 1 + Math.floor(random() * STATUSES.length));

const cpu0 = process.cpuUsage();
let done = 0;
await new Promise<void>((resolve, reject) => {
  const next = () => {
    let lines = '';
    for (const end = Math.min(posts, done + batch); done < end; done++) {
      const slot = slotOf.get(evseKey(ids[done]!));
      if (slot === undefined || owner[slot] !== 1 || status[slot] === values[done]) continue;
      status[slot] = values[done]!;
      changedAt[slot] = Date.now();
      lines += `${slot},${values[done]},${changedAt[slot]}\n`;
    }
    const bytes = Buffer.from(lines);
    write(fd, bytes, 0, bytes.length, null, (error) => {
      if (error) return reject(error);
      fdatasync(fd, (syncError) => (syncError ? reject(syncError) : done < posts ? setImmediate(next) : resolve()));
    });
  };
  next();
});
const cpu = process.cpuUsage(cpu0);
console.log(`status log, ${batch} posts a batch: CPU ${((cpu.user + cpu.system) / posts).toFixed(1)} µs per post`);
closeSync(fd);
rmSync(dir, { recursive: true, force: true });
