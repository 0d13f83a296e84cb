/** scripts/prune-dist.mjs: compiled files of removed sources leave dist/, nothing else does. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain ES module of the repository's scripts, without type declarations
import { pruneDist } from '../scripts/prune-dist.mjs';

describe('pruneDist', () => {
  it("should delete a removed source's compiled files (a migration among them) and keep the rest", () => {
    const root = mkdtempSync(join(tmpdir(), 'oioi-prune-'));
    try {
      const put = (path: string) => {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), '');
      };
      put('src/storage/sqlite/migrations/100-partners.ts');
      put('src/index.ts');
      const kept = ['dist/storage/sqlite/migrations/100-partners.js', 'dist/storage/sqlite/migrations/100-partners.d.ts', 'dist/index.js', 'dist/index.js.map', 'dist/dashboard/assets/app.js', 'dist/storage/sqlite/data.json'];
      const stale = ['dist/storage/sqlite/migrations/850-gone.js', 'dist/storage/sqlite/migrations/850-gone.js.map', 'dist/storage/sqlite/migrations/850-gone.d.ts', 'dist/storage/sqlite/migrations/850-gone.d.ts.map', 'dist/old/removed.js'];
      for (const p of [...kept, ...stale]) put(p);
      const deleted = pruneDist(join(root, 'src'), join(root, 'dist')) as string[];
      assert.deepEqual(deleted.map((p) => p.slice(root.length + 1)).sort(), [...stale].sort());
      for (const p of kept) assert.ok(existsSync(join(root, p)), `${p} kept`);
      for (const p of stale) assert.ok(!existsSync(join(root, p)), `${p} deleted`);
      assert.deepEqual(pruneDist(join(root, 'src'), join(root, 'dist')), [], 'nothing left to delete');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
