/**
 * What a durable commit costs the kernel on this machine, without SQLite: a commit of F WAL
 * frames is 2F pwrites (SQLite writes a frame's 24-byte header and its 4 KiB page apart), then
 * one fsync (or none). CPU per commit, user and system, of this process and its threads. The last
 * line writes each commit's frames as one write instead (no sync): what a VFS that gathered a
 * commit's frames before writing them would pay.
 * Usage: `node --import tsx bench/floor/wal.ts [frames per commit, default 60] [commits, default 1500]`.
 */
import { closeSync, fdatasyncSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { scratchDir } from '../scratch.js';

const frames = Number(process.argv[2] ?? 60);
const commits = Number(process.argv[3] ?? 1500);
const dir = scratchDir('oioi-floor-wal-');
const fd = openSync(join(dir, 'wal'), 'w+');
const header = Buffer.alloc(24, 1);
const page = Buffer.alloc(4096, 7);
const FRAME = header.length + page.length;
/** A WAL this long starts over from its beginning, as SQLite's does after a checkpoint. */
const WRAP = 64 << 20;

const gathered = Buffer.alloc(FRAME * frames);

function run(sync: 'none' | 'fsync' | 'fdatasync' | 'one write'): void {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let offset = 0;
  for (let c = 0; c < commits; c++) {
    if (sync === 'one write') {
      for (let f = 0; f < frames; f++) {
        header.copy(gathered, f * FRAME);
        page.copy(gathered, f * FRAME + header.length);
      }
      writeSync(fd, gathered, 0, gathered.length, offset);
      offset = offset + 2 * gathered.length > WRAP ? 0 : offset + gathered.length;
      continue;
    }
    for (let f = 0; f < frames; f++) {
      writeSync(fd, header, 0, header.length, offset);
      writeSync(fd, page, 0, page.length, offset + header.length);
      offset = offset + FRAME > WRAP ? 0 : offset + FRAME;
    }
    if (sync === 'fsync') fsyncSync(fd);
    else if (sync === 'fdatasync') fdatasyncSync(fd);
  }
  const cpu = process.cpuUsage(cpu0);
  const us = (n: number) => (n / commits).toFixed(0).padStart(5);
  console.log(`${sync.padEnd(9)} ${frames} frames a commit: CPU ${us(cpu.user + cpu.system)} µs a commit (system ${us(cpu.system)}), wall ${us((performance.now() - t0) * 1000)} µs`);
}

try {
  for (const sync of ['none', 'fsync', 'fdatasync', 'one write', 'none', 'fsync', 'fdatasync', 'one write'] as const) run(sync);
} finally {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
}
