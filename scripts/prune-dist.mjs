#!/usr/bin/env node
// Deletes what tsc compiled into dist/ from a source that no longer exists in src/ (a removed
// or renamed file): tsc never deletes, and a stale file can still run. The migration runner loads
// every file in dist/storage/*/migrations/, so a migration deleted from src/ would still be applied.
// dist/dashboard/ is vite's, built from dashboard/, and left alone.
// Usage: `node scripts/prune-dist.mjs` (npm run build runs it first). Prints what it deleted.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const OUTPUT = /\.(d\.ts|js\.map|d\.ts\.map|js)$/;

/**
 * Deletes compiled files under `dist` whose `.ts` source under `src` is gone; returns their paths.
 * Example: `pruneDist('/repo/src', '/repo/dist')`.
 */
export function pruneDist(src, dist) {
  const deleted = [];
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(dist, path);
      if (entry.isDirectory()) {
        if (rel !== 'dashboard') walk(path);
      } else if (OUTPUT.test(entry.name) && !existsSync(join(src, rel.replace(OUTPUT, '.ts')))) {
        rmSync(path);
        deleted.push(path);
      }
    }
  };
  walk(dist);
  return deleted;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  for (const path of pruneDist(join(root, 'src'), join(root, 'dist'))) console.log(`deleted stale ${relative(root, path)}`);
}
